use crm_test_support::TestDb;
use std::collections::BTreeSet;
use std::path::Path;

fn names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(backend);
    std::fs::read_dir(&dir)
        .expect("migrations folder")
        .filter_map(|e| e.ok())
        .map(|e| {
            let p = e.path();
            assert!(p.join("up.sql").is_file() && p.join("down.sql").is_file(), "{} needs up.sql and down.sql", p.display());
            e.file_name().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    assert_eq!(names("sqlite"), names("postgres"), "migrations/sqlite and migrations/postgres have drifted apart");
}

fn round_trip(db: &TestDb, field_index: Option<&str>) {
    let target = crm_store::Target::from_url(&db.url).expect("url");
    let mut c = target.establish().expect("connect");
    // The PostgreSQL copy starts migrated (from the template); SQLite starts empty.
    crm_store::migrate(&mut c).expect("up");
    use diesel::connection::SimpleConnection;
    if let Some(index) = field_index {
        // A custom field's index, as defining an indexed number field makes it.
        c.batch_execute(index).expect("a field's index");
    }
    let reverted = crm_store::db::revert_all(&mut c).expect("down");
    assert!(!reverted.is_empty());
    assert!(c.batch_execute("SELECT 1 FROM contacts").is_err(), "down really removed the tables");
    let applied = crm_store::migrate(&mut c).expect("up again");
    assert_eq!(applied.len(), reverted.len());
    c.batch_execute("SELECT 1 FROM contacts").expect("tables are back");
}

#[test]
fn sqlite_migrations_go_up_down_and_up_again() {
    round_trip(&TestDb::sqlite(), None);
}

#[test]
fn postgres_migrations_go_up_down_and_up_again() {
    if let Some(db) = TestDb::postgres() {
        round_trip(&db, Some("CREATE INDEX cf_fabcdefghijkl ON contacts (workspace_id, crm_cf_num(custom, 'fabcdefghijkl'), id)"));
    }
}
