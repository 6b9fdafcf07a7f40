//! The shared record use cases on a real SQLite file: what a use case changes reaches the audit
//! trail and the timeline through its unit of work at commit, and a refused or stale write
//! leaves nothing behind.

use crm_api_types::ContactCreate;
use crm_app::contacts::Contacts;
use crm_app::workspace::Facts;
use crm_app::{records, AppError, Caller, Db};
use crm_domain::access::Entity;
use crm_domain::Role;
use crm_store::access::read_reach_all;
use crm_store::cursor::{PageSpec, Sort, SortField};
use crm_store::record::Actor;
use crm_store::timeline::TimelineFilter;
use crm_store::{identity, StoreError, Target};

struct World {
    db: Db,
    admin: Caller,
    analyst: Caller,
    path: std::path::PathBuf,
}

impl Drop for World {
    fn drop(&mut self) {
        // The database and the write-ahead log and shared-memory files SQLite keeps beside it.
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

fn world() -> World {
    let path = std::env::temp_dir().join(format!("crm-app-records-{}-{}.db", std::process::id(), rand::random::<u64>()));
    let pool = crm_store::pool(&Target::Sqlite(path.display().to_string()), 3).expect("a pool");
    let mut conn = pool.get().expect("a connection");
    crm_store::migrate(&mut conn).expect("migrated");
    let ws = crm_app::workspace::create(&mut conn, "Test Co", "IR", "IRR").expect("a workspace");
    let mut caller = |email: &str, role: Role| {
        let user = identity::create_user(&mut conn, email, email, "not a hash", "en").expect("a user");
        identity::add_member(&mut conn, &ws.id, &user.id, role).expect("a member");
        Caller::new(ws.id.clone(), role, Some(user.id.clone()), Actor { kind: "user", id: Some(user.id), name: None })
    };
    let (admin, analyst) = (caller("admin@test.example", Role::Admin), caller("analyst@test.example", Role::Analyst));
    drop(conn);
    World { db: Db::new(pool, None), admin, analyst, path }
}

fn sara(title: Option<&str>) -> ContactCreate {
    ContactCreate { first_name: "Sara".into(), title: title.map(str::to_owned), ..Default::default() }
}

#[test]
fn a_contacts_life_reaches_its_audit_trail_and_timeline_and_refused_writes_leave_nothing() {
    let w = world();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let admin = w.admin.clone();
        let created =
            w.db.write(move |c| records::create_in::<Contacts>(c, &admin, |facts| Ok(sara(None).validate(facts.settings()?.region)?)))
                .await
                .expect("created");
        let id = created.0.id.clone();
        assert_eq!(created.0.owner_id.as_deref(), w.admin.user_id(), "the creator owns it");

        let retitle = |title: &'static str| move |_: &_, facts: &mut Facts<'_>| Ok(sara(Some(title)).validate(facts.settings()?.region)?);
        let changed = records::update::<Contacts, _>(&w.db, &w.admin, id.clone(), Some(1), retitle("CEO")).await.expect("changed");
        assert_eq!((changed.0.version, changed.0.title.as_deref()), (2, Some("CEO")));

        // A stale version and a read-only role change nothing and record nothing.
        let stale = records::update::<Contacts, _>(&w.db, &w.admin, id.clone(), Some(1), retitle("CFO")).await;
        assert!(matches!(stale, Err(AppError::Store(StoreError::PreconditionFailed { current: 2, .. }))), "{stale:?}");
        let refused = records::update::<Contacts, _>(&w.db, &w.analyst, id.clone(), None, retitle("CFO")).await;
        assert!(matches!(refused, Err(AppError::Store(StoreError::Forbidden { code: "forbidden", .. }))), "{refused:?}");
        let unknown = records::get::<Contacts>(&w.db, &w.admin, "no-such-id".into()).await;
        assert!(matches!(unknown, Err(AppError::NotFound(Entity::Contact))), "{unknown:?}");

        let trashed = records::set_deleted::<Contacts>(&w.db, &w.admin, id.clone(), Some(2), true).await.expect("trashed");
        assert!(trashed.0.deleted_at.is_some());
        let again = records::set_deleted::<Contacts>(&w.db, &w.admin, id.clone(), None, true).await.expect("already there");
        assert_eq!(again.0.version, 3, "trashing what is in the trash changes nothing");

        let (admin, contact) = (w.admin.clone(), id.clone());
        let (actions, kinds) =
            w.db.read(move |c| -> Result<_, AppError> {
                let ws = admin.workspace();
                let trail = crm_store::audit::list(c, ws, "contact", &contact, None, 10)?;
                let reach = read_reach_all(c, ws, admin.viewer())?;
                let spec = PageSpec {
                    sort: Sort { field: SortField::At, desc: true },
                    limit: 10,
                    after: None,
                    include_total: false,
                    ..PageSpec::default()
                };
                let filter = TimelineFilter::default();
                let items = crm_store::timeline::page(c, ws, "contact", &contact, &filter, &spec, &reach)?.items;
                Ok((trail.into_iter().map(|e| e.action).collect::<Vec<_>>(), items.into_iter().map(|i| i.kind).collect::<Vec<_>>()))
            })
            .await
            .expect("read back");
        assert_eq!(actions, ["created", "updated", "deleted"]);
        assert_eq!(kinds, ["field_change", "field_change", "created"], "newest first");
    });
}
