//! `crm`: the CRM server and its operator commands.

use anyhow::Context;
use clap::{Parser, Subcommand};
use crm_server::{bootstrap, seed, Config};

// Request handling allocates many small short-lived buffers; mimalloc serves them markedly
// faster than glibc's allocator (measured in the list benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "crm", version, about = "An open-source CRM: API, browser app and explorer in one binary")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, create the first admin on an empty database, and serve (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write the OpenAPI document (to api-spec/openapi.json, or the given path; - for stdout).
    Openapi {
        #[arg(default_value = "api-spec/openapi.json")]
        path: String,
    },
    /// Add demo users, companies and contacts to the first workspace.
    Seed {
        #[arg(long, default_value_t = 3000)]
        companies: usize,
        #[arg(long, default_value_t = 10_000)]
        contacts: usize,
        /// Then add this many plain contacts fast (no audit trail), for benchmarks at scale.
        #[arg(long, default_value_t = 0)]
        bulk_contacts: usize,
        /// Then add this many orders fast from the contacts (no lines or audit trail), for the
        /// analytics benchmarks; recompute the metrics after.
        #[arg(long, default_value_t = 0)]
        bulk_orders: usize,
        /// Then log this many activities on one contact (printed), for timeline benchmarks.
        #[arg(long, default_value_t = 0)]
        timeline_items: usize,
        /// Then define this many more contact fields and add a contact with a value in each and
        /// one with none (both printed), for the benchmark of reading many custom fields.
        #[arg(long, default_value_t = 0)]
        wide_contact: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let cfg = Config::load()?;
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::try_new(&cfg.log).unwrap_or_else(|_| "info".into())).init();
    crm_store::db::trace_sql();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cfg),
        Command::Migrate => {
            let (pool, backend) = bootstrap::open(&cfg)?;
            drop(pool);
            println!("{backend} database is up to date");
            Ok(())
        }
        Command::Openapi { path } => {
            let json = crm_http::openapi_json();
            if path == "-" {
                print!("{json}");
            } else {
                std::fs::write(&path, json).with_context(|| format!("writing {path}"))?;
                println!("wrote {path}");
            }
            Ok(())
        }
        Command::Seed { companies, contacts, bulk_contacts, bulk_orders, timeline_items, wide_contact } => {
            let started = bootstrap::start(&cfg)?;
            let mut conn = started.pool.get()?;
            let admin = crm_store::identity::find_user_by_email(&mut conn, &cfg.admin_email)?
                .context("no admin with CRM_ADMIN_EMAIL; seed adds to that admin's workspace")?;
            let ws = crm_store::identity::memberships_of(&mut conn, &admin.id)?.into_iter().next().context("the admin has no workspace")?.0;
            let password = cfg.admin_password.clone().unwrap_or_else(|| crm_server::Secret::new(bootstrap::generate_password()));
            let ops = crm_server::seed_ops::OpsSize::scaled(contacts);
            seed::seed(&mut conn, &ws.id, &password, seed::SeedSize { companies, contacts, ops })?;
            if bulk_contacts > 0 {
                seed::bulk_contacts(&mut conn, &ws.id, bulk_contacts)?;
            }
            if bulk_orders > 0 {
                seed::bulk_orders(&mut conn, &ws.id, bulk_orders)?;
            }
            if timeline_items > 0 {
                let contact = seed::long_timeline(&mut conn, &ws.id, timeline_items)?;
                println!("timeline contact: {contact}");
            }
            if wide_contact > 0 {
                let (wide, plain) = crm_server::seed_custom::wide_contact(&mut conn, &ws.id, wide_contact)?;
                println!("wide contact: {wide}");
                println!("plain contact: {plain}");
            }
            println!(
                "seeded {companies} companies and {} contacts into {:?}; demo users sign in with password {}",
                contacts + bulk_contacts,
                ws.name,
                password.expose()
            );
            Ok(())
        }
    }
}

fn serve(cfg: Config) -> anyhow::Result<()> {
    let started = bootstrap::start(&cfg)?;
    let listener = std::net::TcpListener::bind(&cfg.listen).with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    if let Some((email, password)) = &started.created_admin {
        remember_initial_password(&cfg, password.expose());
        println!("\n  First start: created workspace \"Demo Company\" and its admin.");
        println!("    email:    {email}");
        println!("    password: {}", password.expose());
        if cfg.demo_data {
            println!("  Demo users (same password): mina.rahimi@demo.example (manager), reza.ahmadi@demo.example (sales rep), …");
        }
    }
    println!("\n  CRM is running on {} ({}):", addr, started.backend);
    println!("    app:       http://{addr}/");
    println!("    explorer:  http://{addr}/api/docs/");
    println!("    health:    http://{addr}/healthz\n");
    let state = bootstrap::app_state(&cfg, &started);
    let workers = cfg.workers;
    let deliver = cfg.webhook_delivery;
    actix_web::rt::System::new().block_on(async move {
        let _background = crm_http::spawn_background(&state, deliver);
        crm_http::serve(state, listener, workers)?.await
    })?;
    Ok(())
}

/// Keeps the generated admin password next to a SQLite database so the quickstart can show
/// it again; delete the file after changing the password.
fn remember_initial_password(cfg: &Config, password: &str) {
    if let Ok(crm_store::Target::Sqlite(path)) = crm_store::Target::from_url(&cfg.database_url) {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            let file = dir.join("initial-admin-password");
            if std::fs::write(&file, format!("{}\n{password}\n", cfg.admin_email)).is_ok() {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
                }
            }
        }
    }
}
