//! One row as a backup holds it (a JSON array of cells, one line) and the SHA-256 kept of
//! every part while it is written or read.

use super::{Column, ColumnType};
use anyhow::{Context, bail};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use std::io::{BufRead, Write};

/// One value, typed by its column: NULL stays typed, since PostgreSQL refuses a text NULL
/// in an integer column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(Option<String>),
    Integer(Option<i64>),
}

/// Reads a row of `SELECT <columns>` in the columns' order.
pub fn from_row(row: &AnyRow, columns: &[Column]) -> anyhow::Result<Vec<Cell>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cell = match c.kind {
                ColumnType::Text => row.try_get::<Option<String>, _>(i).map(Cell::Text),
                ColumnType::Integer => row.try_get::<Option<i64>, _>(i).map(Cell::Integer),
            };
            cell.with_context(|| format!("reading column {}", c.name))
        })
        .collect()
}

/// The row as one line: a JSON array, then `\n`.
pub fn write_line(out: &mut impl Write, cells: &[Cell]) -> anyhow::Result<()> {
    let values: Vec<Value> = cells
        .iter()
        .map(|cell| match cell {
            Cell::Text(v) => v.as_deref().map_or(Value::Null, |s| Value::String(s.to_owned())),
            Cell::Integer(v) => v.map_or(Value::Null, Value::from),
        })
        .collect();
    serde_json::to_writer(&mut *out, &values)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Parses one line against the columns: an array of exactly one cell per column, each a
/// string, an integer in the 64-bit range, or null.
pub fn parse_line(line: &str, columns: &[Column]) -> anyhow::Result<Vec<Cell>> {
    let values: Vec<Value> = serde_json::from_str(line).context("not a JSON array")?;
    if values.len() != columns.len() {
        bail!("{} cells for {} columns", values.len(), columns.len());
    }
    values
        .into_iter()
        .zip(columns)
        .map(|(value, column)| match (column.kind, value) {
            (ColumnType::Text, Value::Null) => Ok(Cell::Text(None)),
            (ColumnType::Integer, Value::Null) => Ok(Cell::Integer(None)),
            (ColumnType::Text, Value::String(s)) => Ok(Cell::Text(Some(s))),
            (ColumnType::Integer, Value::Number(n)) => n
                .as_i64()
                .map(|i| Cell::Integer(Some(i)))
                .with_context(|| format!("{}: {n} is not a 64-bit integer", column.name)),
            (kind, other) => bail!("{}: {other} is not {}", column.name, kind.describe()),
        })
        .collect()
}

impl ColumnType {
    fn describe(self) -> &'static str {
        match self {
            Self::Text => "a string or null",
            Self::Integer => "an integer or null",
        }
    }
}

/// Binds a row's cells, in order.
pub fn bind<'q>(
    mut query: Query<'q, sqlx::Any, AnyArguments<'q>>,
    cells: Vec<Cell>,
) -> Query<'q, sqlx::Any, AnyArguments<'q>> {
    for cell in cells {
        query = match cell {
            Cell::Text(v) => query.bind(v),
            Cell::Integer(v) => query.bind(v),
        };
    }
    query
}

/// A writer that counts and hashes what passes through it.
pub struct Hashing<W> {
    inner: W,
    hash: Sha256,
    pub bytes: u64,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hash: Sha256::new(),
            bytes: 0,
        }
    }

    /// The inner writer and the SHA-256 (hex) of everything written.
    pub fn finish(self) -> (W, String) {
        (self.inner, hex::encode(self.hash.finalize()))
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Reads a part line by line, hashing every byte, so the hash checked is the hash of the
/// lines used.
pub struct Lines<R> {
    inner: R,
    hash: Sha256,
    line: String,
    /// Lines read so far.
    pub count: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hash: Sha256::new(),
            line: String::new(),
            count: 0,
        }
    }

    /// The next line without its `\n`; `None` at the end. A last line without `\n` is an
    /// error: it is what a cut-off file ends with.
    pub fn next_line(&mut self) -> anyhow::Result<Option<&str>> {
        self.line.clear();
        let n = self.inner.read_line(&mut self.line).context("not UTF-8 text")?;
        if n == 0 {
            return Ok(None);
        }
        self.hash.update(self.line.as_bytes());
        self.count += 1;
        match self.line.strip_suffix('\n') {
            Some(line) => Ok(Some(line)),
            None => bail!("line {} is cut off (no line end)", self.count),
        }
    }

    /// SHA-256 (hex) of everything read.
    pub fn finish(self) -> String {
        hex::encode(self.hash.finalize())
    }
}

/// SHA-256 (hex) of a file's bytes.
pub fn sha256_file(path: &std::path::Path) -> anyhow::Result<(u64, String)> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hashing = Hashing::new(std::io::sink());
    std::io::copy(&mut std::io::BufReader::new(file), &mut hashing)
        .with_context(|| format!("reading {}", path.display()))?;
    let bytes = hashing.bytes;
    Ok((bytes, hashing.finish().1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        vec![
            Column {
                name: "t".into(),
                kind: ColumnType::Text,
            },
            Column {
                name: "i".into(),
                kind: ColumnType::Integer,
            },
        ]
    }

    #[test]
    fn cells_round_trip_through_a_line_exactly() {
        let rows = [
            vec![
                Cell::Text(Some("é \"q\" \u{202e}\n\\".into())),
                Cell::Integer(Some(i64::MAX)),
            ],
            vec![Cell::Text(None), Cell::Integer(Some(i64::MIN))],
            vec![Cell::Text(Some(String::new())), Cell::Integer(None)],
        ];
        for row in rows {
            let mut out = Vec::new();
            write_line(&mut out, &row).expect("write");
            let text = String::from_utf8(out).expect("utf-8");
            assert_eq!(text.matches('\n').count(), 1, "one line: {text:?}");
            assert_eq!(parse_line(text.trim_end_matches('\n'), &columns()).expect("parse"), row);
        }
    }

    #[test]
    fn a_line_of_the_wrong_shape_is_refused_naming_the_column() {
        let cases = [
            (r#"["a"]"#, "1 cells for 2 columns"),
            (r#"["a", "1"]"#, "i: \"1\" is not an integer or null"),
            (r#"[1, 1]"#, "t: 1 is not a string or null"),
            (r#"["a", 1.5]"#, "i: 1.5 is not a 64-bit integer"),
            (
                r#"["a", 9223372036854775808]"#,
                "i: 9223372036854775808 is not a 64-bit integer",
            ),
            (r#"{"t": "a"}"#, "not a JSON array"),
        ];
        for (line, expected) in cases {
            let err = format!("{:#}", parse_line(line, &columns()).expect_err(line));
            assert!(err.contains(expected), "{line}: {err}");
        }
    }

    #[test]
    fn a_cut_off_last_line_is_an_error() {
        let mut lines = Lines::new(std::io::Cursor::new("[1]\n[2"));
        assert_eq!(lines.next_line().expect("first"), Some("[1]"));
        let err = lines.next_line().expect_err("cut off");
        assert!(err.to_string().contains("line 2 is cut off"), "{err}");
    }
}
