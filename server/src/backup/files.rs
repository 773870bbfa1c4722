//! The files an instance keeps outside its database: the signing key file, the published
//! checkpoint file and the audit anchors. A backup copies them into `files/`; a restore puts
//! them where the restoring instance's settings say, staged beside their place and renamed
//! in only once the database transaction has committed.

use super::rows::{Hashing, sha256_file};
use super::{FilePart, FileRole, Manifest};
use crate::config::Config;
use anyhow::{Context, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Creates `path` for writing, readable by its owner only: a backup holds the signing keys
/// and webhook secrets.
pub fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// Copies one instance file into the backup at `dir`; `None` when the instance has none.
/// The key file must exist: without it, the restored checkpoints, receipts and subject
/// tokens could not be verified. The checkpoint and anchor files are append-only and may be
/// growing: only their complete lines are copied.
pub fn copy_in(config: &Config, role: FileRole, dir: &Path) -> anyhow::Result<Option<FilePart>> {
    let source = role.location(config);
    if !source.exists() {
        if role == FileRole::KeyFile {
            bail!(
                "key file {} not found: a backup without it could not verify its checkpoints, receipts \
                 and subject tokens (set key_file to where `assent serve` keeps it)",
                source.display()
            );
        }
        return Ok(None);
    }
    let length = match role {
        FileRole::KeyFile => std::fs::metadata(&source)?.len(),
        FileRole::CheckpointFile | FileRole::AuditAnchorFile => complete_lines(&source)?,
    };
    let target = dir.join(role.path());
    let mut out = Hashing::new(create_private(&target)?);
    let file = std::fs::File::open(&source).with_context(|| format!("opening {}", source.display()))?;
    let copied = std::io::copy(&mut BufReader::new(file).take(length), &mut out)
        .with_context(|| format!("copying {}", source.display()))?;
    if copied != length {
        bail!("{} shrank while it was copied", source.display());
    }
    let (file, sha256) = out.finish();
    file.sync_all()?;
    Ok(Some(FilePart {
        role,
        path: role.path().to_owned(),
        source: std::path::absolute(&source).unwrap_or(source).display().to_string(),
        bytes: copied,
        sha256,
    }))
}

/// How many leading bytes of an append-only JSON-lines file end with a line end (a line
/// being appended right now is left for the next backup).
fn complete_lines(path: &Path) -> anyhow::Result<u64> {
    let mut reader = BufReader::new(std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?);
    let (mut read, mut complete) = (0u64, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(complete);
        }
        read += n as u64;
        if line.ends_with(b"\n") {
            complete = read;
        }
    }
}

/// Checks every file the manifest names: a known role at most once, the key file among
/// them, and bytes that match the manifest.
pub fn check(manifest: &Manifest, dir: &Path) -> anyhow::Result<()> {
    for role in FileRole::ALL {
        let parts: Vec<&FilePart> = manifest.files.iter().filter(|f| f.role == role).collect();
        if parts.len() > 1 {
            bail!("the manifest names the {} twice", role.describe());
        }
        if role == FileRole::KeyFile && parts.is_empty() {
            bail!("the manifest names no key file: the backup is incomplete");
        }
    }
    for part in &manifest.files {
        if part.path != part.role.path() {
            bail!(
                "the manifest puts the {} at {}, not {}",
                part.role.describe(),
                part.path,
                part.role.path()
            );
        }
        let (bytes, sha256) = sha256_file(&dir.join(&part.path))?;
        if bytes != part.bytes || sha256 != part.sha256 {
            bail!(
                "{} differs from the manifest ({bytes} bytes, SHA-256 {sha256}; the manifest says {} bytes, \
                 {}): the backup was changed or damaged",
                part.path,
                part.bytes,
                part.sha256
            );
        }
    }
    Ok(())
}

/// A file a restore puts in place after the database committed.
#[derive(Debug)]
pub struct Staged {
    role: FileRole,
    target: PathBuf,
    /// The backup's copy beside `target`, or `None` to remove `target`.
    staged: Option<PathBuf>,
}

/// Stages every file the restore must change, refusing (before anything is staged) a file
/// that exists with other content unless `replace`. A file equal to the backup's is left
/// alone (and named in the returned notes); a file the backup does not have is removed only
/// when replacing.
pub fn stage(
    manifest: &Manifest,
    dir: &Path,
    config: &Config,
    replace: bool,
) -> anyhow::Result<(Vec<Staged>, Vec<String>)> {
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    for role in FileRole::ALL {
        let target = role.location(config);
        let part = manifest.files.iter().find(|f| f.role == role);
        let current = if target.exists() {
            Some(sha256_file(&target)?.1)
        } else {
            None
        };
        if current.as_deref() == part.map(|p| p.sha256.as_str()) {
            if current.is_some() {
                notes.push(format!(
                    "{} {} is already the backup's",
                    role.describe(),
                    target.display()
                ));
            }
            continue;
        }
        if current.is_some() && !replace {
            bail!(
                "{} {} exists and differs from the backup's: the restored ledger is signed and anchored by the \
                 backup's files. Move it away, or pass --replace to overwrite it",
                role.describe(),
                target.display()
            );
        }
        changes.push((role, target, part));
    }
    let mut staged = Vec::new();
    for (role, target, part) in changes {
        let copy = part
            .map(|part| stage_copy(&dir.join(&part.path), &target, &part.sha256))
            .transpose();
        match copy {
            Ok(copy) => staged.push(Staged {
                role,
                target,
                staged: copy,
            }),
            Err(err) => {
                discard(staged);
                return Err(err);
            }
        }
    }
    Ok((staged, notes))
}

/// Copies a backup file beside `target` (`<target>.restoring`, owner-only), checking its hash.
fn stage_copy(from: &Path, target: &Path, sha256: &str) -> anyhow::Result<PathBuf> {
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let staged = PathBuf::from(format!("{}.restoring", target.display()));
    let _ = std::fs::remove_file(&staged);
    let mut out = Hashing::new(create_private(&staged)?);
    let copied = std::fs::File::open(from)
        .and_then(|mut file| std::io::copy(&mut file, &mut out))
        .with_context(|| format!("copying {}", from.display()));
    let (file, found) = out.finish();
    let synced = copied.and_then(|_| file.sync_all().context("syncing"));
    if let Err(err) = synced {
        let _ = std::fs::remove_file(&staged);
        return Err(err);
    }
    if found != sha256 {
        let _ = std::fs::remove_file(&staged);
        bail!("{} changed while the restore ran", from.display());
    }
    Ok(staged)
}

/// Removes what [`stage`] staged: the restore did not happen.
pub fn discard(staged: Vec<Staged>) {
    for file in staged {
        if let Some(path) = file.staged {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Puts every staged file in place (a rename each); returns what it did, one line each.
pub fn put_in_place(staged: Vec<Staged>) -> anyhow::Result<Vec<String>> {
    let mut done = Vec::new();
    for file in staged {
        let what = file.role.describe();
        match file.staged {
            Some(path) => {
                std::fs::rename(&path, &file.target).with_context(|| {
                    format!(
                        "the database is restored, but its {what} could not be put in place: move {} to {}",
                        path.display(),
                        file.target.display()
                    )
                })?;
                done.push(format!("{what} restored to {}", file.target.display()));
            }
            None => {
                std::fs::remove_file(&file.target)
                    .with_context(|| format!("removing {}, which the backup does not have", file.target.display()))?;
                done.push(format!(
                    "{what} {} removed (the backup has none)",
                    file.target.display()
                ));
            }
        }
        if let Some(dir) = file.target.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself must survive a crash, not only the file's bytes.
            std::fs::File::open(dir).and_then(|d| d.sync_all()).ok();
        }
    }
    Ok(done)
}

/// Writes `manifest.json`.
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let mut file = create_private(&dir.join("manifest.json"))?;
    serde_json::to_writer_pretty(&mut file, manifest)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}
