//! Operator commands for sites and accounts: `assent site create|list`, `assent admin
//! create-user|grant`, `assent admin-token`. Each is audited with the actor `cli`.

use crate::auth::{Role, ServiceClaims, check_password_rules, hash_password, random_token};
use crate::config::Config;
use crate::db::Db;
use crate::db::accounts::Created;
use crate::db::audit::AuditRecord;
use crate::db::sites::NewSecret;
use crate::keys::Keys;
use crate::ledger::{self, SiteRecord};
use crate::routes::admin::sites::{check_origins, install};
use crate::routes::admin::users::check_email;
use anyhow::{Context, bail};
use assent_shared::ids::SiteId;
use serde_json::json;

/// The database of `config` for the commands that read or write outside the ledger.
pub(crate) async fn db(config: &Config) -> anyhow::Result<Db> {
    Ok(ledger::connect(&config.database_url).await?.db())
}

fn cli_audit(action: &'static str, site: Option<&SiteId>, details: serde_json::Value) -> AuditRecord {
    AuditRecord {
        actor: "cli".into(),
        action,
        site_id: site.map(ToString::to_string),
        details,
        client_ip: None,
    }
}

/// The origin the printed script tag points at: `public_url`, else the API's bind address.
fn public_origin(config: &Config) -> String {
    config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.bind))
}

/// Registers a site with its starter notice; prints the script tag, the CSP and the secret.
pub async fn site_create(
    config: &Config,
    id: &str,
    name: &str,
    origins: &[String],
    policy_url: &str,
    owner: Option<&str>,
) -> anyhow::Result<()> {
    let id = SiteId::parse(id).map_err(|e| anyhow::anyhow!("--id: {}", e.reason))?;
    let origins = check_origins(origins).map_err(|e| anyhow::anyhow!("--origin: {}", e.reason))?;
    let db = db(config).await?;
    let owner_id = match owner {
        Some(email) => Some(
            db.user_by_email(email)
                .await?
                .with_context(|| format!("no account {email}: create it first with `assent admin create-user`"))?
                .id,
        ),
        None => None,
    };
    let site = SiteRecord {
        id: id.clone(),
        name: name.trim().to_owned(),
        origins,
        regime_overrides: Default::default(),
        archived: false,
        starter_notice: true,
    };
    let starter = crate::starter::starter_notice(&site.name, policy_url)?;
    let secret = NewSecret::generate();
    let record = cli_audit(
        "site_create",
        Some(&id),
        json!({ "name": site.name, "origins": site.origins }),
    );
    if !db
        .create_site(&site, &starter, &secret, owner_id.as_deref(), &record)
        .await?
    {
        bail!("a site with id {id} already exists");
    }
    let install = install(&public_origin(config), &id);
    println!("site {id} created with the starter notice (version 1) — review it before going live");
    println!();
    println!("Paste this first in the <head> of every page of the site:");
    println!("  {}", install.script_tag);
    if config.public_url.is_none() {
        // The command cannot see how the server was started: it only knows the settings.
        println!(
            "  (this assumes Assent answers at {}; if it runs elsewhere — another --bind, a proxy —",
            public_origin(config)
        );
        println!("   set ASSENT_PUBLIC_URL to that address for `assent serve` and for this command)");
    }
    println!();
    println!("Content-Security-Policy, if the site sends one, needs:");
    for line in &install.csp {
        println!("  {line}");
    }
    println!();
    println!("Site secret for server-to-server calls (shown once, stored hashed):");
    println!("  {}", secret.secret);
    Ok(())
}

pub async fn site_list(config: &Config) -> anyhow::Result<()> {
    let ledger = ledger::open(&config.database_url).await?;
    for site in ledger.sites().await? {
        let state = if site.archived { " (archived)" } else { "" };
        println!("{}\t{}\t{}{state}", site.id, site.name, site.origins.join(" "));
    }
    Ok(())
}

/// Creates an account; without a password (none in `ASSENT_ADMIN_PASSWORD`), generates one
/// and prints it once.
pub async fn create_user(config: &Config, email: &str, is_admin: bool, password: Option<String>) -> anyhow::Result<()> {
    check_email(email).map_err(|e| anyhow::anyhow!("{email:?}: {}", e.reason))?;
    let generated = password.is_none();
    // A generated password never starts with `-`, which a shell command would take for a flag.
    let password = password.unwrap_or_else(|| format!("a{}", random_token(18)));
    check_password_rules(&password).map_err(|e| anyhow::anyhow!("password: {}", e.reason))?;
    let hash = hash_password(&password)?;
    let db = db(config).await?;
    let record = cli_audit(
        "user_create",
        None,
        json!({ "email": email.trim().to_lowercase(), "is_admin": is_admin }),
    );
    match db.create_user(email, &hash, is_admin, &record).await? {
        Created::EmailTaken => bail!("an account with the email {email} exists"),
        Created::Created(id) => {
            let kind = if is_admin { "administrator" } else { "account" };
            println!("{kind} {email} created ({id})");
            if generated {
                println!("password (shown once): {password}");
            }
        }
    }
    Ok(())
}

/// Gives an account a role on a site (`none` removes it).
pub async fn grant(config: &Config, email: &str, site: &str, role: &str) -> anyhow::Result<()> {
    let site = SiteId::parse(site)?;
    let role = match role {
        "none" => None,
        other => Some(Role::parse(other).with_context(|| format!("{other:?}: use owner, viewer or none"))?),
    };
    let db = db(config).await?;
    let user = db
        .user_by_email(email)
        .await?
        .with_context(|| format!("no account {email}"))?;
    let ledger = ledger::open(&config.database_url).await?;
    if !ledger.sites().await?.iter().any(|s| s.id == site) {
        bail!("site {site} is not registered");
    }
    let action = if role.is_some() { "role_grant" } else { "role_revoke" };
    let record = cli_audit(action, Some(&site), json!({ "email": user.email, "role": role }));
    db.set_role(&user.id, &site, role, &record).await?;
    println!("{email} on {site}: {}", role.map_or("no role", Role::as_str));
    Ok(())
}

/// Prints a service token (`aud = assent:service`) for automation, for registered sites (or
/// `*`, every site), valid `hours` (1 to 8,760, a year; clap checks the range). Audited
/// (`service_token_issue`), since such a token cannot be revoked short of rotating the key.
pub async fn service_token(config: &Config, sites: Vec<String>, role: &str, hours: i64) -> anyhow::Result<()> {
    let role = Role::parse(role).with_context(|| format!("{role:?}: use owner or viewer"))?;
    let registered = ledger::open(&config.database_url).await?.sites().await?;
    for s in &sites {
        if s != "*" && !registered.iter().any(|r| r.id.as_str() == s) {
            SiteId::parse(s)?;
            bail!(
                "site {s} is not registered (assent site list); a token for it would open a site created later under that id"
            );
        }
    }
    let keys = Keys::load_or_create(&config.key_file)?;
    let exp = time::OffsetDateTime::now_utc() + time::Duration::hours(hours);
    let token = keys.sign(&ServiceClaims::new(sites.clone(), role, exp.unix_timestamp()))?;
    let record = cli_audit(
        "service_token_issue",
        None,
        json!({ "sites": sites, "role": role, "expires_at": crate::clock::format_rfc3339(exp) }),
    );
    db(config).await?.audit(&record).await?;
    println!("{token}");
    Ok(())
}
