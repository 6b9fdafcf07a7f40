//! Inbound email: logged on the sender's contact once per Message-ID, replies threaded into
//! their conversation (with its deal or case), and clear answers for what cannot be placed.

use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

async fn post_email(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.post("/api/v1/emails/inbound", &body).await
}

fn first_error(b: &Value) -> (String, String) {
    (b["errors"][0]["field"].as_str().unwrap_or("").to_owned(), b["errors"][0]["code"].as_str().unwrap_or("").to_owned())
}

both_backends! {
    async fn an_email_lands_on_the_sender_and_replies_join_the_thread(app) {
        let (_, pars) = app.post("/api/v1/companies", &json!({"name": "Pars Data"})).await;
        let sara = app.contact(json!({"first_name": "Sara", "company_id": pars["id"], "emails": [{"address": "Sara@Example.com"}]})).await;
        let first = json!({"message_id": "<m1@mail.example.com>", "from": {"address": "sara@example.com", "name": "Sara"},
            "to": [{"address": "sales@ourco.example"}], "subject": "Quote for 40 seats", "text": "Hello,\nplease send a quote.",
            "date": "2026-11-20T09:30:00Z"});
        let (s, r) = post_email(&app, first.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!((&r["contact_ids"], &r["company_id"], r["thread_id"].as_str(), r["duplicate"].as_bool()),
            (&json!([sara["id"]]), &pars["id"], Some("m1@mail.example.com"), Some(false)));
        let (_, a) = app.get(&format!("/api/v1/activities/{}", r["activity_id"].as_str().expect("id"))).await;
        assert_eq!((a["kind"].as_str(), a["direction"].as_str(), a["subject"].as_str(), a["body"].as_str(), a["occurred_at"].as_str()),
            (Some("email"), Some("inbound"), Some("Quote for 40 seats"), Some("Hello,\nplease send a quote."), Some("2026-11-20T09:30:00Z")));
        let (_, tl) = app.get(&format!("/api/v1/contacts/{}/timeline?kind=email", sara["id"].as_str().expect("id"))).await;
        assert_eq!(tl["items"].as_array().map(Vec::len), Some(1), "{tl}");

        // The provider posts it again: nothing new.
        let (s, again) = post_email(&app, first).await;
        assert_eq!((s, again["duplicate"].as_bool(), &again["activity_id"]), (StatusCode::OK, Some(true), &r["activity_id"]));

        // The agent files the conversation under a case; the customer's reply follows it there.
        let (_, case) = app.post("/api/v1/cases", &json!({"subject": "Quote", "contact_id": sara["id"]})).await;
        let path = format!("/api/v1/activities/{}", r["activity_id"].as_str().expect("id"));
        let (s, b) = app.patch(&path, a["version"].as_i64().expect("version"), &json!({"case_id": case["id"]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, reply) = post_email(&app, json!({"message_id": "m2@mail.example.com", "in_reply_to": "<m1@mail.example.com>",
            "from": {"address": "SARA@example.com"}, "subject": "Re: Quote for 40 seats",
            "html": "<p>Thanks&nbsp;&amp; see you <b>Monday</b>.</p><script>x()</script>"})).await;
        assert_eq!(s, StatusCode::CREATED, "{reply}");
        assert_eq!((reply["thread_id"].as_str(), &reply["case_id"], &reply["contact_ids"]), (Some("m1@mail.example.com"), &case["id"], &json!([sara["id"]])));
        let (_, ra) = app.get(&format!("/api/v1/activities/{}", reply["activity_id"].as_str().expect("id"))).await;
        assert_eq!(ra["body"].as_str(), Some("Thanks & see you Monday."));

        // A colleague of hers answers from an address we do not know, naming the thread in
        // References only: it joins the conversation and its customer.
        let (s, cc) = post_email(&app, json!({"message_id": "<m3@other.example>", "references": ["<m1@mail.example.com>", "<m2@mail.example.com>", "<unknown@x>"],
            "from": {"address": "ali@pars.example"}, "subject": "Re: Quote for 40 seats", "text": "Adding myself."})).await;
        assert_eq!((s, reply["thread_id"].as_str(), &cc["contact_ids"], &cc["case_id"]),
            (StatusCode::CREATED, cc["thread_id"].as_str(), &json!([sara["id"]]), &case["id"]), "{cc}");
        let (_, on_case) = app.get(&format!("/api/v1/cases/{}/timeline?kind=email", case["id"].as_str().expect("id"))).await;
        assert_eq!(on_case["items"].as_array().map(Vec::len), Some(3), "{on_case}");
    }

    async fn emails_that_cannot_be_placed_get_clear_answers(app) {
        app.contact(json!({"first_name": "Known", "emails": [{"address": "known@example.com"}]})).await;
        let (s, b) = post_email(&app, json!({"message_id": "<x1@a>", "from": {"address": "stranger@example.com"}, "subject": "Hi", "text": "?"})).await;
        assert_eq!((s, first_error(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("from.address".into(), "customer_not_found".into())), "{b}");
        let (s, b) = post_email(&app, json!({"message_id": "  <> ", "from": {"address": "known@example.com"}})).await;
        assert_eq!((s, first_error(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("message_id".into(), "invalid_message_id".into())), "{b}");
        let (s, b) = post_email(&app, json!({"message_id": "<x2@a>", "from": {"address": "not an address"}})).await;
        assert_eq!((s, first_error(&b).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "from.address"), "{b}");
        let big = "x".repeat(300 * 1024);
        let (s, b) = post_email(&app, json!({"message_id": "<x3@a>", "from": {"address": "known@example.com"}, "text": big})).await;
        assert_eq!((s, first_error(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("text".into(), "too_large".into())), "{b}");
        let (s, b) = post_email(&app, json!({"message_id": "<x4@a>", "from": {"address": "known@example.com"}, "bcc": []})).await;
        assert_eq!((s, first_error(&b).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "bcc"), "unknown fields are named: {b}");
        // With no subject or body it is still logged, and nothing was lost above.
        let (s, b) = post_email(&app, json!({"message_id": "<x5@a>", "from": {"address": "known@example.com"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (_, a) = app.get(&format!("/api/v1/activities/{}", b["activity_id"].as_str().expect("id"))).await;
        assert_eq!((a["subject"].as_str(), &a["body"]), (Some("(no subject)"), &Value::Null));
        let other = app.other_workspace_token().await;
        let (s, b) = app.post_as(&other, "/api/v1/emails/inbound", &json!({"message_id": "<x5@a>", "from": {"address": "known@example.com"}})).await;
        assert_eq!((s, first_error(&b).1.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "customer_not_found"), "another workspace's contacts and threads are unknown: {b}");
    }
}
