//! Display helpers.

use crm_api_types::LifecycleStage;

pub fn stage_label(s: LifecycleStage) -> &'static str {
    match s {
        LifecycleStage::Lead => "Lead",
        LifecycleStage::Prospect => "Prospect",
        LifecycleStage::Customer => "Customer",
        LifecycleStage::Churned => "Churned",
    }
}

pub fn date(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Groups digits of an E.164 number for reading: +98 912 123 4567.
pub fn phone(e164: &str) -> String {
    let d = e164.trim_start_matches('+');
    if d.starts_with("98") && d.len() == 12 {
        format!("+98 {} {} {}", &d[2..5], &d[5..8], &d[8..])
    } else if d.starts_with('1') && d.len() == 11 {
        format!("+1 {} {} {}", &d[1..4], &d[4..7], &d[7..])
    } else {
        e164.to_owned()
    }
}
