use crm_test_support::{both_backends, TestApp};
use serde_json::json;
use std::collections::HashSet;

async fn walk(app: &TestApp, query: &str, during: impl Fn(usize) -> Option<String>) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut page = 0;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/contacts?{query}&cursor={c}"),
            None => format!("/api/v1/contacts?{query}"),
        };
        let (s, b) = app.get(&url).await;
        assert!(s.is_success(), "{b}");
        seen.extend(b["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().unwrap_or("").to_owned()));
        if let Some(name) = during(page) {
            app.contact(json!({"first_name": name})).await;
        }
        page += 1;
        match b["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    seen
}

both_backends! {
    async fn pages_neither_repeat_nor_skip_while_others_insert(app) {
        let mut originals = HashSet::new();
        for i in 0..23 {
            let c = app.contact(json!({"first_name": format!("Person {i:02}"), "last_name": if i % 3 == 0 { "Same" } else { "Other" }})).await;
            originals.insert(c["id"].as_str().expect("id").to_owned());
        }
        for sort in ["-created_at", "created_at", "name", "-name", "-updated_at"] {
            let seen = walk(&app, &format!("limit=5&sort={sort}"), |p| Some(format!("Inserted during page {p} {sort}"))).await;
            let unique: HashSet<&String> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len(), "{sort}: a record appeared twice");
            for o in &originals {
                assert!(seen.contains(o), "{sort}: a record that existed before was skipped");
            }
        }
    }

    async fn total_counts_every_match_not_just_the_page(app) {
        for i in 0..7 {
            app.contact(json!({"first_name": format!("T{i}"), "lifecycle_stage": if i < 4 { "customer" } else { "lead" }})).await;
        }
        let (_, b) = app.get("/api/v1/contacts?limit=2&include_total=true&lifecycle_stage=customer").await;
        assert_eq!(b["total"], 4);
        assert_eq!(b["items"].as_array().map(Vec::len), Some(2));
        let (_, b) = app.get("/api/v1/contacts?limit=2").await;
        assert!(b.get("total").is_none(), "the total is only counted when asked for");
    }
}
