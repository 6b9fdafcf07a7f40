//! Lists as files (`?format=csv|xlsx|jsonl`): every record the caller may read, with the list's
//! filters, custom fields as columns (only those the caller may read), formulas neutralised in
//! CSV, and an XLSX a spreadsheet reader opens.

use calamine::{Data, Reader, Xlsx};
use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

/// The raw answer: status, content type, disposition and body.
async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, String, Vec<u8>) {
    let r = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("request");
    let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (status, kind, disposition) = (r.status(), header("content-type"), header("content-disposition"));
    (status, kind, disposition, r.bytes().await.expect("body").to_vec())
}

fn sheet(bytes: Vec<u8>, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    assert_eq!(book.sheet_names(), [name]);
    let range = book.worksheet_range(name).expect("the sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

async fn define(app: &TestApp, body: Value) {
    let (s, b) = app.post("/api/v1/fields", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

both_backends! {
    async fn every_readable_record_of_a_list_downloads_as_csv_xlsx_or_json_lines(app) {
        define(&app, json!({"entity": "contact", "key": "tier", "type": "choice", "label_en": "Tier",
            "options": [{"key": "gold", "label_en": "Gold"}, {"key": "silver", "label_en": "Silver"}]})).await;
        define(&app, json!({"entity": "contact", "key": "score", "type": "number", "label_en": "Score"})).await;
        define(&app, json!({"entity": "contact", "key": "salary", "type": "number", "label_en": "Salary", "sensitive": true, "readers": ["manager"]})).await;
        app.contact(json!({"first_name": "Sara", "last_name": "Ahmadi", "custom": {"tier": "gold", "score": "12.5", "salary": "900"}})).await;
        app.contact(json!({"first_name": "=HYPERLINK(\"http://x\")", "custom": {"tier": "silver"}})).await;
        app.contact(json!({"first_name": "نگار", "last_name": "رضایی", "custom": {"tier": "gold", "score": "7"}})).await;

        // CSV, read in batches of one (the list's limit is the batch size): all three rows.
        let (s, kind, disposition, body) = download(&app, &app.token, "/api/v1/contacts?format=csv&sort=name&limit=1").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(kind, "text/csv; charset=utf-8");
        assert!(disposition.contains("attachment") && disposition.contains("contacts.csv"), "{disposition}");
        let text = String::from_utf8(body).expect("UTF-8");
        let text = text.strip_prefix('\u{feff}').expect("a byte-order mark for spreadsheet programs");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        let header: Vec<&str> = lines[0].split(',').collect();
        assert_eq!(header[0], "id");
        assert_eq!(&header[header.len() - 3..], ["custom.tier", "custom.score", "custom.salary"]);
        assert!(header.contains(&"first_name") && header.contains(&"emails"), "{header:?}");
        assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "a formula is neutralised: {text}");
        assert!(text.contains("نگار") && text.contains(",gold,12.5,900"), "{text}");

        // A list's cursor does not cut the file short: it always starts at the list's start.
        let (_, first_page) = app.get("/api/v1/contacts?sort=name&limit=1").await;
        let cursor = first_page["next_cursor"].as_str().expect("a next page");
        let (s, _, _, body) = download(&app, &app.token, &format!("/api/v1/contacts?format=csv&sort=name&cursor={cursor}")).await;
        assert_eq!((s, String::from_utf8(body).expect("UTF-8").lines().count()), (StatusCode::OK, 4));

        // Filtered like the list, and as a sales rep, without the sensitive column.
        let rep = app.member_token(Role::SalesRep, "rep@export.example").await;
        let (s, _, _, body) = download(&app, &rep, "/api/v1/contacts?format=csv&custom.tier=gold").await;
        let text = String::from_utf8(body).expect("UTF-8");
        assert_eq!((s, text.lines().count()), (StatusCode::OK, 3), "{text}");
        // (A cell is compared whole: a timestamp may hold the same digits.)
        assert!(!text.contains("salary") && !text.lines().any(|l| l.split(',').any(|cell| cell == "900")), "{text}");

        // XLSX: a workbook a spreadsheet reader opens, numbers as numbers.
        let (s, kind, disposition, body) = download(&app, &app.token, "/api/v1/contacts?format=xlsx&sort=name").await;
        assert_eq!((s, kind.as_str()), (StatusCode::OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        assert!(disposition.contains("contacts.xlsx"), "{disposition}");
        let rows = sheet(body, "contacts");
        assert_eq!(rows.len(), 4);
        let col = |name: &str| rows[0].iter().position(|c| *c == Data::String(name.into())).unwrap_or_else(|| panic!("no column {name}"));
        let (first, tier, score) = (col("first_name"), col("custom.tier"), col("custom.score"));
        let sara = rows.iter().find(|r| r[first] == Data::String("Sara".into())).expect("Sara's row");
        assert_eq!((&sara[tier], &sara[score]), (&Data::String("gold".into()), &Data::Float(12.5)));
        assert!(rows.iter().any(|r| r[first] == Data::String("=HYPERLINK(\"http://x\")".into())), "text, never a formula, in XLSX");

        // JSON Lines: each record as the list returns it.
        let (s, kind, _, body) = download(&app, &app.token, "/api/v1/contacts?format=jsonl&custom.tier=silver").await;
        assert_eq!((s, kind.as_str()), (StatusCode::OK, "application/x-ndjson"));
        let records: Vec<Value> = String::from_utf8(body).expect("UTF-8").lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0]["custom"], json!({"tier": "silver"}));

        // Other kinds export the same way, an empty list as its header alone.
        let (s, b) = app.post("/api/v1/products", &json!({"sku": "K-1", "name": "Kettle", "unit_price": {"amount": "10", "currency": "USD"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, _, _, body) = download(&app, &app.token, "/api/v1/products?format=xlsx").await;
        let rows = sheet(body, "products");
        assert_eq!((s, rows.len()), (StatusCode::OK, 2));
        assert!(rows[1].contains(&Data::String("10.00 USD".into())), "{:?}", rows[1]);
        let (s, _, _, body) = download(&app, &app.token, "/api/v1/cases?format=xlsx").await;
        assert_eq!((s, sheet(body, "cases").len()), (StatusCode::OK, 1));

        // Bad requests are answered as problems before any file starts.
        let (s, b) = app.get("/api/v1/contacts?format=pdf").await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("format")), "{b}");
        let (s, b) = app.get_as(&rep, "/api/v1/contacts?format=csv&custom.salary=900").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("field_forbidden")), "{b}");
    }
}
