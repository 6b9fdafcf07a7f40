//! Imports through the API (issue #30): a HubSpot-style contacts export and a Persian sheet in
//! Windows-1256 uploaded, read (encoding, delimiter, suggested fields), tried in a dry run that
//! writes nothing, run with a value mapping, its rows and rejected CSV read back, and undone;
//! UTF-16 files, bad files and bad choices answered clearly; access narrowed to the importer.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

async fn upload(app: &TestApp, token: &str, name: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let (s, b, _) = app.send(app.client.post(app.url(&format!("/api/v1/imports?file_name={name}"))).bearer_auth(token).body(body)).await;
    (s, b)
}

/// Polls an import until its run ends.
async fn ended(app: &TestApp, id: &str) -> Value {
    for _ in 0..1200 {
        let (s, b) = app.get(&format!("/api/v1/imports/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        if matches!(b["status"].as_str(), Some("done" | "failed" | "cancelled")) {
            return b;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import {id} did not end");
}

fn counts(i: &Value) -> [i64; 5] {
    let p = &i["progress"];
    ["created", "updated", "unchanged", "skipped", "rejected"].map(|k| p[k].as_i64().unwrap_or(-1))
}

async fn contact_by_email(app: &TestApp, email: &str) -> Option<Value> {
    let (_, page) = app.get(&format!("/api/v1/contacts?q={email}&limit=5")).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["emails"].as_array().is_some_and(|e| e.iter().any(|e| e["address"] == email)))
        .cloned()
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        b.extend(u.to_le_bytes());
    }
    b
}

both_backends! {
    async fn a_peer_export_is_read_dry_run_imported_with_mapped_values_and_undone(app) {
        let (s, b) = app.post("/api/v1/contacts", &json!({"first_name": "Sara", "emails": [{"address": "sara@example.com"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let me = app.get("/api/v1/me").await.1;
        let admin_email = me["email"].as_str().expect("email").to_owned();
        let (_, before) = app.get("/api/v1/contacts?include_total=true&limit=1").await;
        let csv = format!(
            "\u{feff}Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,Lifecycle Stage,Contact owner,Favourite colour\r\n\
             1,Sara,Karimi,sara@example.com,,09121234567,Acme,Customer,{admin_email},blue\r\n\
             2,Ali,Rezaei,ali@example.com,021 8888 7777,,Acme,Marketing Qualified Lead,,green\r\n\
             3,Bad,Row,not-an-email,,,,,,\r\n\
             4,Ali,Again,ALI@example.com,,,,,,\r\n\
             5,Mina,,\"mina@example.com; mina.work@example.com\",,,Tehran Co,Gold,,\r\n"
        );
        let (s, up) = upload(&app, &app.token, "hubspot-crm-exports-all-contacts.csv", csv.into_bytes()).await;
        assert_eq!(s, StatusCode::CREATED, "{up}");
        assert_eq!((up["encoding"].as_str(), up["delimiter"].as_str(), up["status"].as_str()), (Some("utf-8"), Some(","), Some("uploaded")));
        let suggested: Vec<&str> = up["columns"].as_array().expect("columns").iter().map(|c| c["suggested"].as_str().expect("suggested")).collect();
        assert_eq!(suggested, ["skip", "first_name", "last_name", "email", "phone.work", "phone.mobile", "company", "lifecycle_stage", "owner", "note"]);
        assert_eq!(up["columns"][1]["samples"], json!(["Sara", "Ali", "Bad", "Ali", "Mina"]));
        assert_eq!(up["progress"]["rows_total"], 5, "a small file is counted whole");
        let id = up["id"].as_str().expect("id").to_owned();

        // A dry run says what each row would do and keeps nothing.
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/dry-run"), &json!({})).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        let dry = ended(&app, &id).await;
        assert_eq!((dry["status"].as_str(), dry["dry_run"].as_bool()), (Some("done"), Some(true)), "{dry}");
        assert_eq!(counts(&dry), [1, 1, 0, 1, 2], "Ali and Sara; Ali again is a repeat; a bad email and an unknown stage: {dry}");
        let (_, after) = app.get("/api/v1/contacts?include_total=true&limit=1").await;
        assert_eq!(after["total"], before["total"], "a dry run writes no contact");
        let (_, companies) = app.get("/api/v1/companies?q=Acme").await;
        assert_eq!(companies["items"].as_array().map(Vec::len), Some(0), "nor a company");
        assert!(contact_by_email(&app, "sara@example.com").await.expect("sara")["last_name"].is_null());
        let (_, rows) = app.get(&format!("/api/v1/imports/{id}/rows?outcome=rejected,skipped")).await;
        let problems: Vec<(i64, String, String, String)> = rows["items"].as_array().expect("items").iter().flat_map(|r| {
            r["problems"].as_array().expect("problems").iter().map(|p| (r["line"].as_i64().unwrap_or(0), r["outcome"].as_str().unwrap_or("").to_owned(),
                p["field"].as_str().unwrap_or("").to_owned(), p["code"].as_str().unwrap_or("").to_owned())).collect::<Vec<_>>()
        }).collect();
        assert_eq!(problems, [
            (4, "rejected".into(), "Email".into(), "invalid_email".into()),
            (5, "skipped".into(), "email".into(), "duplicate_in_file".into()),
            (6, "rejected".into(), "Lifecycle Stage".into(), "unknown_value".into()),
        ], "{rows}");
        assert_eq!(rows["items"][0]["cells"][1], "Bad", "a rejected row keeps its cells");
        let (_, made) = app.get(&format!("/api/v1/imports/{id}/rows?outcome=created")).await;
        assert_eq!((made["items"][0]["line"].as_i64(), &made["items"][0]["record_id"]), (Some(3), &Value::Null), "a dry run keeps no record: {made}");

        // The real run, with the unknown stage mapped to ours.
        let run = json!({"values": {"lifecycle_stage": {"gold": "customer"}}, "tags": ["Imported"]});
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/run"), &run).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        let done = ended(&app, &id).await;
        assert_eq!((done["status"].as_str(), done["dry_run"].as_bool()), (Some("done"), Some(false)), "{done}");
        assert_eq!(counts(&done), [2, 1, 0, 1, 1], "{done}");
        assert_eq!((done["progress"]["rows_done"].as_i64(), done["progress"]["total_exact"].as_bool()), (Some(5), Some(true)));
        let sara = contact_by_email(&app, "sara@example.com").await.expect("sara");
        assert_eq!((sara["last_name"].as_str(), sara["phones"][0]["number"].as_str(), sara["company_name"].as_str()), (Some("Karimi"), Some("+989121234567"), Some("Acme")));
        assert_eq!(sara["lifecycle_stage"], "lead", "a stage is only overwritten when asked");
        assert_eq!(sara["tags"], json!(["imported"]));
        let ali = contact_by_email(&app, "ali@example.com").await.expect("ali");
        assert_eq!((ali["lifecycle_stage"].as_str(), ali["phones"][0]["number"].as_str(), ali["phones"][0]["label"].as_str()), (Some("prospect"), Some("+982188887777"), Some("work")));
        assert_eq!((ali["company_id"].clone(), ali["source"].as_str()), (sara["company_id"].clone(), Some("import")), "one Acme for both rows");
        let mina = contact_by_email(&app, "mina.work@example.com").await.expect("mina");
        assert_eq!((mina["lifecycle_stage"].as_str(), mina["emails"].as_array().map(Vec::len), mina["company_name"].as_str()), (Some("customer"), Some(2), Some("Tehran Co")));
        let (_, timeline) = app.get(&format!("/api/v1/contacts/{}/timeline?kind=note", ali["id"].as_str().expect("id"))).await;
        assert!(timeline.to_string().contains("Favourite colour: green"), "an unknown column is kept as a note: {timeline}");

        // The rejected rows as a CSV to fix.
        let (s, _, _) = app.send(app.client.get(app.url(&format!("/api/v1/imports/{id}/rejected.csv"))).bearer_auth(&app.token)).await;
        assert_eq!(s, StatusCode::OK);
        let text = app.client.get(app.url(&format!("/api/v1/imports/{id}/rejected.csv"))).bearer_auth(&app.token).send().await.expect("csv").text().await.expect("text");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].ends_with("Favourite colour,Import line,Import problem"), "{text}");
        assert!(lines[1].starts_with("3,Bad,Row,not-an-email,") && lines[1].contains("Email: not an email address"), "{text}");

        // A run that ran is undone, not run again.
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/run"), &run).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("import_done")), "{b}");
        // Someone changes Mina after the import: undo leaves her unless forced.
        let (s, b) = app.patch(&format!("/api/v1/contacts/{}", mina["id"].as_str().expect("id")), mina["version"].as_i64().expect("version"), &json!({"title": "CEO"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, undone) = app.post(&format!("/api/v1/imports/{id}/undo"), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{undone}");
        assert_eq!((undone["removed"].as_i64(), undone["restored"].as_i64(), undone["conflicts"].clone()), (Some(1), Some(1), json!([mina["id"]])));
        assert_eq!(undone["conflicts_total"], 1);
        assert!(contact_by_email(&app, "ali@example.com").await.is_none(), "a contact the import made is in the trash");
        let sara = contact_by_email(&app, "sara@example.com").await.expect("sara");
        assert!(sara["last_name"].is_null() && sara["phones"] == json!([]) && sara["company_id"].is_null() && sara["tags"] == json!([]), "{sara}");
        assert!(contact_by_email(&app, "mina@example.com").await.is_some(), "a contact changed since stays");
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/undo"), &json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("import_not_undoable")), "{b}");
        // Forced, the contacts changed since go too.
        let (s, forced) = app.post(&format!("/api/v1/imports/{id}/undo?force=true"), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{forced}");
        assert_eq!((forced["removed"].as_i64(), forced["restored"].as_i64(), forced["conflicts_total"].as_i64()), (Some(1), Some(0), Some(0)));
        assert!(contact_by_email(&app, "mina@example.com").await.is_none(), "forced, Mina goes to the trash too");
    }

    async fn files_in_other_encodings_and_bad_files_and_choices_get_clear_answers(app) {
        // A Persian sheet saved by Excel as CSV in Windows-1256, with semicolons.
        let persian: Vec<u8> = vec![228, 199, 227, 59, 228, 199, 227, 32, 206, 199, 228, 230, 199, 207, 144, 237, 59, 227, 230, 200, 199, 237, 225, 59, 212, 209, 223, 202, 13, 10, 218, 225, 237, 59, 209, 214, 199, 237, 237, 59, 48, 57, 49, 50, 49, 49, 49, 50, 50, 51, 51, 59, 152, 199, 209, 199, 13, 10];
        let (s, up) = upload(&app, &app.token, "persian.csv", persian).await;
        assert_eq!(s, StatusCode::CREATED, "{up}");
        assert_eq!((up["encoding"].as_str(), up["delimiter"].as_str()), (Some("windows-1256"), Some(";")));
        let suggested: Vec<&str> = up["columns"].as_array().expect("columns").iter().map(|c| c["suggested"].as_str().expect("suggested")).collect();
        assert_eq!(suggested, ["first_name", "last_name", "phone.mobile", "company"]);
        assert_eq!(up["columns"][0]["samples"], json!(["علي"]));
        let id = up["id"].as_str().expect("id").to_owned();
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/run"), &json!({"key": "phone"})).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        let done = ended(&app, &id).await;
        assert_eq!(counts(&done), [1, 0, 0, 0, 0], "{done}");
        let (_, found) = app.get("/api/v1/contacts?phone=09121112233").await;
        assert_eq!((found["items"][0]["last_name"].as_str(), found["items"][0]["company_name"].as_str()), (Some("رضايي"), Some("کارا")), "{found}");

        // UTF-16 with tabs, as Excel's "Unicode text"; the encoding read wrong can be overridden.
        let (s, up) = upload(&app, &app.token, "unicode.txt", utf16le("Name\tE-mail\r\nNika Sadeghi\tnika@example.com\r\n")).await;
        assert_eq!(s, StatusCode::CREATED, "{up}");
        assert_eq!((up["encoding"].as_str(), up["delimiter"].as_str()), (Some("utf-16le"), Some("\t")));
        assert_eq!(up["columns"][0]["suggested"], "full_name");
        let id = up["id"].as_str().expect("id").to_owned();
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/dry-run"), &json!({"encoding": "latin-9", "delimiter": ":"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let fields: Vec<&str> = b["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, ["encoding", "delimiter"]);
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/run"), &json!({})).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        assert_eq!(counts(&ended(&app, &id).await), [1, 0, 0, 0, 0]);
        let nika = contact_by_email(&app, "nika@example.com").await.expect("nika");
        assert_eq!((nika["first_name"].as_str(), nika["last_name"].as_str()), (Some("Nika"), Some("Sadeghi")));

        // Bad choices are named by their column.
        let (s, up) = upload(&app, &app.token, "x.csv", b"First,Second,Mail\nA,B,a@example.com\nC,D,e,extra\n".to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{up}");
        let id = up["id"].as_str().expect("id").to_owned();
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/dry-run"), &json!({"columns": ["first_name", "first_name", "shoe_size"]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let codes: Vec<String> = b["errors"].as_array().expect("errors").iter().map(|e| format!("{}:{}", e["field"].as_str().unwrap_or(""), e["code"].as_str().unwrap_or(""))).collect();
        assert_eq!(codes, ["columns[1]:duplicate_target", "columns[2]:unknown_target", "key:key_unmapped"], "{b}");
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/dry-run"), &json!({"columns": ["skip", "last_name", "email"]})).await;
        assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name_required")), "{b}");
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/dry-run"), &json!({"columns": ["first_name", "last_name", "email"], "key": "phone"})).await;
        assert_eq!((s, b["errors"][0]["field"].as_str(), b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("key"), Some("key_unmapped")), "{b}");
        // A row with more cells than the header is rejected, not cut.
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/dry-run"), &json!({"columns": ["first_name", "last_name", "email"]})).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        let dry = ended(&app, &id).await;
        assert_eq!(counts(&dry), [1, 0, 0, 0, 1], "{dry}");
        let (_, rows) = app.get(&format!("/api/v1/imports/{id}/rows?outcome=rejected")).await;
        let codes: Vec<&str> = rows["items"][0]["problems"].as_array().expect("problems").iter().filter_map(|p| p["code"].as_str()).collect();
        assert_eq!(codes, ["invalid_email", "extra_cells"], "{rows}");

        // Files that cannot be imported.
        let (s, b) = upload(&app, &app.token, "empty.csv", Vec::new()).await;
        assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("empty_file")), "{b}");
        let (s, b) = upload(&app, &app.token, "header.csv", b"First Name,Email\r\n".to_vec()).await;
        assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("no_rows")), "{b}");
        let wide = format!("{}\n{}\n", vec!["c"; 1001].join(","), vec!["v"; 1001].join(","));
        let (s, b) = upload(&app, &app.token, "wide.csv", wide.into_bytes()).await;
        assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("too_many_columns")), "{b}");
        let (_, list) = app.get("/api/v1/imports").await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(3), "refused files are not kept: {list}");

        // Imports are people's, of roles that create contacts; each sees their own.
        let (_, key) = app.post("/api/v1/api-keys", &json!({"name": "shop", "role": "admin"})).await;
        let key = key["key"].as_str().expect("key").to_owned();
        let (s, b) = upload(&app, &key, "k.csv", b"Name\nA\n".to_vec()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        for path in ["/api/v1/imports".to_owned(), format!("/api/v1/imports/{id}"), format!("/api/v1/imports/{id}/rows")] {
            let (s, b) = app.get_as(&key, &path).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "an API key, even an admin's, reads no import: {path} {b}");
        }
        let analyst = app.member_token(Role::Analyst, "analyst@imports.example").await;
        let (s, b) = upload(&app, &analyst, "a.csv", b"Name\nA\n".to_vec()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let rep = app.member_token(Role::SalesRep, "rep@imports.example").await;
        let (s, b) = app.get_as(&rep, &format!("/api/v1/imports/{id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another's import is not seen: {b}");
        let (_, list) = app.get_as(&rep, "/api/v1/imports").await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    }

    async fn a_job_a_stopped_process_left_resumes_after_its_last_batch(app) {
        let mut app = app;
        let mut csv = String::from("First Name,Email\n");
        for i in 0..2000 {
            csv.push_str(&format!("P{i},p{i}@resume.example\n"));
        }
        let (s, up) = upload(&app, &app.token, "big.csv", csv.into_bytes()).await;
        assert_eq!(s, StatusCode::CREATED, "{up}");
        let id = up["id"].as_str().expect("id").to_owned();
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/run"), &json!({})).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        // Stopped once a batch is written.
        for _ in 0..600 {
            if app.get(&format!("/api/v1/imports/{id}")).await.1["progress"]["rows_done"].as_i64().unwrap_or(0) > 0 {
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let (s, b) = app.post(&format!("/api/v1/imports/{id}/cancel"), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "stopped while it runs: {b}");
        let stopped = ended(&app, &id).await;
        let done = stopped["progress"]["rows_done"].as_i64().expect("rows done");
        assert_eq!(stopped["status"], "cancelled", "{stopped}");
        assert!((250..2000).contains(&done) && done % 250 == 0, "it stopped after a whole batch: {done}");
        // As a process that stopped in the middle leaves it: running, its lease run out. The next
        // process picks it up and goes on from the row after the last batch.
        app.restart().await;
        let (pool, job) = (app.pool.clone(), id.clone());
        actix_web::rt::task::spawn_blocking(move || {
            let mut c = pool.get().expect("conn");
            crm_test_support::sql(&mut c, &format!("UPDATE imports SET status = 'running', lease_until = 1, finished_at = NULL WHERE id = '{job}'"));
        })
        .await
        .expect("stop");
        let resumed = ended(&app, &id).await;
        assert_eq!((resumed["status"].as_str(), counts(&resumed)), (Some("done"), [2000, 0, 0, 0, 0]), "every row once: {resumed}");
        assert_eq!((resumed["progress"]["rows_done"].as_i64(), resumed["progress"]["total_exact"].as_bool()), (Some(2000), Some(true)));
        let (_, page) = app.get("/api/v1/contacts?q=resume.example&include_total=true&limit=1").await;
        assert_eq!(page["total"], 2000, "no row written twice");
        let mut lines = Vec::new();
        let mut after = 0;
        loop {
            let (_, rows) = app.get(&format!("/api/v1/imports/{id}/rows?after={after}&limit=1000")).await;
            lines.extend(rows["items"].as_array().expect("items").iter().filter_map(|r| r["line"].as_i64()));
            match rows["next_after"].as_i64() {
                Some(n) => after = n,
                None => break,
            }
        }
        assert_eq!(lines, (2..=2001).collect::<Vec<i64>>(), "each row's outcome once, by its row number");
    }

    async fn a_row_failing_after_it_began_writing_leaves_no_trace_and_the_rest_is_written(app) {
        // A batch is first written without a savepoint per row; a row that fails after it
        // began writing (here an update refused by a unique field, after its new company was
        // made) makes the batch go again, row by row: the refused row leaves nothing.
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "contact", "key": "member_code", "type": "text", "label_en": "Member code", "unique": true})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        for (name, email, code) in [("Ava", "a@redo.example", "M-1"), ("Bita", "b@redo.example", "M-2")] {
            let (s, b) = app.post("/api/v1/contacts", &json!({"first_name": name, "emails": [{"address": email}], "custom": {"member_code": code}})).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        // Around the refused row: a repeat of an earlier key (skipped), and a company made
        // before it and used again after it.
        let csv = "First Name,Email,Company,Member code\n\
                   Cyrus,c@redo.example,Redo Co,\n\
                   Cyrus again,c@redo.example,Redo Co,\n\
                   Bita,b@redo.example,Redo Three,M-1\n\
                   Dara,d@redo.example,Redo Co,M-4\n";
        let run = json!({"columns": ["first_name", "email", "company", "custom.member_code"], "key": "email", "existing": "overwrite"});
        for (what, dry) in [("dry-run", true), ("run", false)] {
            let (s, up) = upload(&app, &app.token, "redo.csv", csv.as_bytes().to_vec()).await;
            assert_eq!(s, StatusCode::CREATED, "{up}");
            let id = up["id"].as_str().expect("id").to_owned();
            let (s, b) = app.post(&format!("/api/v1/imports/{id}/{what}"), &run).await;
            assert_eq!(s, StatusCode::ACCEPTED, "{b}");
            let done = ended(&app, &id).await;
            assert_eq!((done["status"].as_str(), counts(&done)), (Some("done"), [2, 0, 0, 1, 1]), "dry run {dry}: {done}");
            let (_, rows) = app.get(&format!("/api/v1/imports/{id}/rows?outcome=skipped")).await;
            assert_eq!((rows["items"][0]["line"].as_i64(), rows["items"][0]["problems"][0]["code"].as_str()), (Some(3), Some("duplicate_in_file")), "{rows}");
            let (_, rows) = app.get(&format!("/api/v1/imports/{id}/rows?outcome=rejected")).await;
            assert_eq!(rows["items"][0]["line"], 4, "{rows}");
            let field = rows["items"][0]["problems"][0]["field"].as_str().unwrap_or_default();
            assert!(field.contains("member_code"), "the refusal names the field: {rows}");
        }
        let (_, companies) = app.get("/api/v1/companies?q=redo&limit=10").await;
        let mut names: Vec<&str> = companies["items"].as_array().expect("items").iter().filter_map(|c| c["name"].as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["Redo Co"], "each company once, none from the dry run or the refused row: {companies}");
        let cyrus = contact_by_email(&app, "c@redo.example").await.expect("cyrus");
        assert_eq!(cyrus["company_name"], "Redo Co");
        let dara = contact_by_email(&app, "d@redo.example").await.expect("dara");
        assert_eq!((dara["company_name"].as_str(), dara["custom"]["member_code"].as_str()), (Some("Redo Co"), Some("M-4")));
        let bita = contact_by_email(&app, "b@redo.example").await.expect("bita");
        assert_eq!((bita["custom"]["member_code"].as_str(), bita["company_name"].as_str()), (Some("M-2"), None), "the refused row changed nothing: {bita}");
    }
}
