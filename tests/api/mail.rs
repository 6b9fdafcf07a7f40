//! Sending email: SMTP settings (admins), templates with merge fields, an email from a record
//! delivered to a mail server the test runs on loopback, logged on the timelines and threaded
//! with the customer's reply by Message-ID; and the refusals that lose nothing.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::smtp::SmtpSink;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

fn fields(b: &Value) -> Vec<String> {
    b["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| format!("{}:{}", x["field"].as_str().unwrap_or(""), x["code"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default()
}

async fn put_settings(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let (s, b, _) = app.send(app.client.put(app.url("/api/v1/email-settings")).bearer_auth(token).json(&body)).await;
    (s, b)
}

fn settings_for(sink: &SmtpSink) -> Value {
    json!({"host": "127.0.0.1", "port": sink.port, "security": "none", "username": "crm", "password": "s3cret-pass",
        "from_address": "sales@pars.example", "from_name": "Pars Sales"})
}

async fn email_activities(app: &TestApp, contact: &Value) -> usize {
    let (_, tl) = app.get(&format!("/api/v1/contacts/{}/timeline?kind=email", contact["id"].as_str().expect("id"))).await;
    tl["items"].as_array().map_or(0, Vec::len)
}

both_backends! {
    async fn an_email_from_a_deal_goes_out_filled_in_and_the_reply_threads_onto_it(app) {
        let sink = SmtpSink::start(false).await;
        let (_, pars) = app.post("/api/v1/companies", &json!({"name": "Pars Trading"})).await;
        let sara = app.contact(json!({"first_name": "Sara", "company_id": pars["id"], "emails": [{"address": "sara@pars-trading.example"}]})).await;
        let (_, deal) = app.post("/api/v1/deals", &json!({"name": "Renewal", "company_id": pars["id"], "amount": "4800", "currency": "USD"})).await;

        let (s, b) = app.post("/api/v1/emails/send", &json!({"contact_id": sara["id"], "subject": "Hello"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("email_not_configured")), "{b}");

        let (s, saved) = put_settings(&app, &app.token, settings_for(&sink)).await;
        assert_eq!(s, StatusCode::OK, "{saved}");
        assert_eq!((saved["configured"].as_bool(), saved["password_set"].as_bool(), saved["port"].as_u64()), (Some(true), Some(true), Some(u64::from(sink.port))));
        let (_, read) = app.get("/api/v1/email-settings").await;
        assert!(!read.to_string().contains("s3cret"), "the password is never returned: {read}");

        let (s, b) = app.post("/api/v1/email-templates", &json!({"name": "Bad", "subject": "Hi {{contact.nickname}}", "body": "x"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["subject:unknown_merge_field".to_owned()]));
        let (s, t) = app.post("/api/v1/email-templates", &json!({"name": "Deal follow-up",
            "subject": "{{deal.name}} for {{company.name|your team}}",
            "body": "Hi {{contact.first_name|there}},\n\nAbout {{deal.name}} ({{deal.amount}}).\n\n{{user.name}}, {{workspace.name}}"})).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let (s, b) = app.post("/api/v1/email-templates", &json!({"name": "Deal follow-up", "subject": "x", "body": ""})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_name")));

        let (s, sent) = app.post("/api/v1/emails/send", &json!({"contact_id": sara["id"], "deal_id": deal["id"], "template_id": t["id"], "cc": ["boss@pars-trading.example"]})).await;
        assert_eq!(s, StatusCode::CREATED, "{sent}");
        assert_eq!(sent["subject"].as_str(), Some("Renewal for Pars Trading"));
        let got = sink.received();
        assert_eq!(got.len(), 1);
        let m = &got[0];
        assert_eq!((m.from.as_str(), m.to.clone()), ("sales@pars.example", vec!["sara@pars-trading.example".to_owned(), "boss@pars-trading.example".to_owned()]));
        assert!(m.auth.as_deref().is_some_and(|a| a.starts_with("AUTH")), "signed in with the stored credentials: {:?}", m.auth);
        assert_eq!(m.header("Subject").as_deref(), Some("Renewal for Pars Trading"));
        assert_eq!(m.header("Message-ID"), Some(format!("<{}>", sent["message_id"].as_str().expect("message id"))));
        assert!(m.header("From").is_some_and(|f| f.contains("Pars Sales") && f.contains("sales@pars.example")), "{:?}", m.header("From"));
        let body = m.body();
        assert!(body.starts_with("Hi Sara,") && body.contains("About Renewal (4800.00 USD).") && body.contains(", Demo Company"), "{body}");

        // Logged on the contact, its company and the deal, as an outbound email.
        let (_, a) = app.get(&format!("/api/v1/activities/{}", sent["activity_id"].as_str().expect("id"))).await;
        assert_eq!((a["kind"].as_str(), a["direction"].as_str(), &a["deal_id"], &a["company_id"], a["subject"].as_str()),
            (Some("email"), Some("outbound"), &deal["id"], &pars["id"], Some("Renewal for Pars Trading")));
        let (_, on_deal) = app.get(&format!("/api/v1/deals/{}/timeline?kind=email", deal["id"].as_str().expect("id"))).await;
        assert_eq!(on_deal["items"][0]["source_id"], sent["activity_id"], "{on_deal}");

        // Sara answers; the reply lands on the deal through the Message-ID.
        let mid = sent["message_id"].as_str().expect("message id");
        let (s, reply) = app.post("/api/v1/emails/inbound", &json!({"message_id": "<r1@pars-trading.example>", "in_reply_to": format!("<{mid}>"),
            "from": {"address": "sara@pars-trading.example"}, "subject": "Re: Renewal for Pars Trading", "text": "Sounds good."})).await;
        assert_eq!((s, reply["thread_id"].as_str(), &reply["deal_id"]), (StatusCode::CREATED, Some(mid), &deal["id"]), "{reply}");

        // Our answer to her reply carries the thread in In-Reply-To and References.
        let (s, again) = app.post("/api/v1/emails/send", &json!({"contact_id": sara["id"], "in_reply_to": "r1@pars-trading.example",
            "subject": "Re: Renewal for Pars Trading", "body": "Great, I'll send the contract."})).await;
        assert_eq!((s, again["thread_id"].as_str()), (StatusCode::CREATED, Some(mid)), "{again}");
        let m = &sink.received()[1];
        assert_eq!(m.header("In-Reply-To").as_deref(), Some("<r1@pars-trading.example>"));
        let refs = m.header("References").unwrap_or_default();
        assert!(refs.contains(&format!("<{mid}>")) && refs.contains("<r1@pars-trading.example>"), "{refs}");
        let (_, a) = app.get(&format!("/api/v1/activities/{}", again["activity_id"].as_str().expect("id"))).await;
        assert_eq!(a["deal_id"], deal["id"], "the answer stays on the thread's deal");

        // A retry with the same Idempotency-Key returns the first answer and sends nothing.
        let body = json!({"contact_id": sara["id"], "subject": "Contract", "body": "Attached."});
        let send = || app.client.post(app.url("/api/v1/emails/send")).bearer_auth(&app.token).header("Idempotency-Key", "send-7").json(&body);
        let (s, first, _) = app.send(send()).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        let (s, retry, headers) = app.send(send()).await;
        assert_eq!((s, &retry, headers.get("idempotent-replayed").and_then(|v| v.to_str().ok())), (StatusCode::CREATED, &first, Some("true")));
        assert_eq!(sink.received().len(), 3);
        assert_eq!(email_activities(&app, &sara).await, 4);
    }

    async fn bad_input_and_a_refusing_mail_server_lose_nothing(app) {
        let refusing = SmtpSink::start(true).await;
        let sara = app.contact(json!({"first_name": "Sara", "emails": [{"address": "sara@example.com"}]})).await;
        let nomail = app.contact(json!({"first_name": "Ali"})).await;

        let (s, b) = put_settings(&app, &app.token, json!({"host": "smtp example", "port": 0, "from_address": "not-an-address", "from_name": "Evil\r\nBcc: x@y"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec![
            "host:invalid_host".to_owned(), "port:invalid_port".to_owned(), "from_address:invalid_email".to_owned(), "from_name:invalid_text".to_owned()]), "{b}");
        let rep = app.member_token(Role::SalesRep, "rep@example.com").await;
        let (s, _) = put_settings(&app, &rep, settings_for(&refusing)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app.get_as(&rep, "/api/v1/email-settings").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, b) = put_settings(&app, &app.token, settings_for(&refusing)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        // Saved again without a password: the stored one stays.
        let mut keep = settings_for(&refusing);
        keep.as_object_mut().expect("object").remove("password");
        let (_, b) = put_settings(&app, &app.token, keep).await;
        assert_eq!((b["password_set"].as_bool(), b["version"].as_i64()), (Some(true), Some(2)));

        let (s, b) = app.post("/api/v1/emails/send", &json!({"contact_id": sara["id"], "subject": "Offer", "body": "Hello"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_GATEWAY, Some("smtp_failed")), "{b}");
        assert!(b["detail"].as_str().is_some_and(|d| d.contains("550")), "the server's answer is passed on: {b}");
        assert_eq!(email_activities(&app, &sara).await, 0, "nothing is logged when the server refuses");

        let cases = [
            (json!({"contact_id": nomail["id"], "subject": "x"}), "to:no_email_address"),
            (json!({"contact_id": sara["id"]}), "subject:required"),
            (json!({"contact_id": sara["id"], "subject": "x", "cc": ["nope"]}), "cc[0]:invalid_email"),
            (json!({"contact_id": "missing", "subject": "x"}), "contact_id:unknown_reference"),
            (json!({"contact_id": sara["id"], "template_id": "missing"}), "template_id:unknown_reference"),
            (json!({"contact_id": sara["id"], "subject": "x", "in_reply_to": "<never@seen>"}), "in_reply_to:unknown_reference"),
            (json!({"contact_id": sara["id"], "subject": "Line\nbreak"}), "subject:invalid_text"),
        ];
        for (body, want) in cases {
            let (s, b) = app.post("/api/v1/emails/send", &body).await;
            assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec![want.to_owned()]), "{body}");
        }
        // A rep who may not see the admin's deal cannot send about it (or learn it exists).
        let (_, deal) = app.post("/api/v1/deals", &json!({"name": "Admin's deal"})).await;
        let (s, b) = app.post_as(&rep, "/api/v1/emails/send", &json!({"contact_id": sara["id"], "deal_id": deal["id"], "subject": "x"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["deal_id:unknown_reference".to_owned()]));
        assert!(refusing.received().is_empty());
    }
}
