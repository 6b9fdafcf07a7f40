//! The diesel schema, the same on both backends (TEXT, BIGINT and INTEGER only).

diesel::table! { settings (key) { key -> Text, value -> Text, } }

diesel::table! {
    workspaces (id) {
        id -> Text, name -> Text, default_region -> Text, base_currency -> Text, created_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text, email -> Text, name -> Text, password_hash -> Text, locale -> Text, created_at -> BigInt,
    }
}

diesel::table! {
    memberships (workspace_id, user_id) {
        workspace_id -> Text, user_id -> Text, role -> Text, created_at -> BigInt,
    }
}

diesel::table! { teams (id) { id -> Text, workspace_id -> Text, name -> Text, created_at -> BigInt, } }

diesel::table! { team_members (team_id, user_id) { team_id -> Text, user_id -> Text, workspace_id -> Text, } }

diesel::table! {
    refresh_tokens (id) {
        id -> Text, family_id -> Text, workspace_id -> Text, user_id -> Text, token_hash -> Text,
        expires_at -> BigInt, created_at -> BigInt, used_at -> Nullable<BigInt>, revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text, workspace_id -> Text, name -> Text, role -> Text, prefix -> Text, key_hash -> Text,
        created_by -> Nullable<Text>, created_at -> BigInt, last_used_at -> Nullable<BigInt>, revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! { login_failures (id) { id -> Text, email -> Text, ip -> Text, at -> BigInt, } }

diesel::table! {
    idempotency_keys (workspace_id, principal_id, idem_key) {
        workspace_id -> Text, principal_id -> Text, idem_key -> Text, request_hash -> Text, status -> Integer,
        body -> Text, location -> Nullable<Text>, etag -> Nullable<Text>, created_at -> BigInt,
    }
}

diesel::table! {
    companies (id) {
        id -> Text, workspace_id -> Text, name -> Text, sort_name -> Text, domain -> Nullable<Text>,
        industry -> Nullable<Text>, city -> Nullable<Text>, country -> Nullable<Text>, emails -> Text, phones -> Text,
        annual_revenue_e4 -> Nullable<BigInt>, annual_revenue_currency -> Nullable<Text>, employee_count -> Nullable<BigInt>,
        owner_id -> Nullable<Text>, tags -> Text, search_text -> Text, version -> BigInt, created_at -> BigInt,
        updated_at -> BigInt, deleted_at -> Nullable<BigInt>,
        custom -> Text,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text, workspace_id -> Text, first_name -> Text, last_name -> Nullable<Text>, display_name -> Text,
        sort_name -> Text, title -> Nullable<Text>, company_id -> Nullable<Text>, emails -> Text, phones -> Text,
        lifecycle_stage -> Text, source -> Nullable<Text>, consent -> Text, owner_id -> Nullable<Text>, tags -> Text,
        search_text -> Text, version -> BigInt, created_at -> BigInt, updated_at -> BigInt, deleted_at -> Nullable<BigInt>,
        custom -> Text,
    }
}

diesel::table! {
    custom_fields (id) {
        id -> Text, workspace_id -> Text, entity_type -> Text, key -> Text, storage_key -> Text, field_type -> Text,
        label_en -> Text, label_fa -> Nullable<Text>, help_en -> Nullable<Text>, help_fa -> Nullable<Text>,
        position -> BigInt, required -> Integer, unique_values -> Integer, indexed -> Integer, sensitive -> Integer,
        config -> Text, index_state -> Text, archived -> Integer, version -> BigInt, created_at -> BigInt,
        updated_at -> BigInt, deleted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    contact_points (workspace_id, kind, value, entity_type, entity_id) {
        workspace_id -> Text, kind -> Text, value -> Text, entity_type -> Text, entity_id -> Text,
    }
}

diesel::table! {
    record_tags (workspace_id, entity_type, tag, entity_id) {
        workspace_id -> Text, entity_type -> Text, tag -> Text, entity_id -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text, workspace_id -> Text, entity_type -> Text, entity_id -> Text, action -> Text,
        actor_kind -> Text, actor_id -> Nullable<Text>, actor_name -> Nullable<Text>, at -> BigInt, changes -> Text,
    }
}

diesel::table! {
    timeline (id) {
        id -> Text, workspace_id -> Text, subject_type -> Text, subject_id -> Text, at -> BigInt, kind -> Text,
        channel -> Nullable<Text>, source_type -> Text, source_id -> Text, actor_kind -> Text,
        actor_id -> Nullable<Text>, actor_name -> Nullable<Text>, data -> Text,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text, workspace_id -> Text, user_id -> Text, kind -> Text, subject_type -> Text, subject_id -> Text,
        title -> Text, detail -> Nullable<Text>, source_type -> Nullable<Text>, source_id -> Nullable<Text>,
        actor_kind -> Text, actor_id -> Nullable<Text>, actor_name -> Nullable<Text>, at -> BigInt, read_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    follows (workspace_id, subject_id, user_id) {
        workspace_id -> Text, subject_id -> Text, user_id -> Text, subject_type -> Text, created_at -> BigInt,
    }
}

diesel::table! {
    access_rules (workspace_id, role, entity) {
        workspace_id -> Text, role -> Text, entity -> Text, read_scope -> Text, write_scope -> Text,
    }
}

diesel::table! {
    products (id) {
        id -> Text, workspace_id -> Text, sku -> Text, name -> Text, sort_name -> Text, category -> Nullable<Text>,
        currency -> Text, unit_price_e4 -> BigInt, unit_cost_e4 -> Nullable<BigInt>, active -> Integer,
        description -> Nullable<Text>, version -> BigInt, created_at -> BigInt, updated_at -> BigInt, custom -> Text,
    }
}

diesel::table! {
    clv_fits (workspace_id) {
        workspace_id -> Text, fitted_at -> BigInt, body -> Text,
    }
}

diesel::table! {
    pipelines (id) {
        id -> Text, workspace_id -> Text, name -> Text, position -> BigInt, is_default -> Integer, loss_reasons -> Text,
        version -> BigInt, created_at -> BigInt, updated_at -> BigInt,
    }
}

diesel::table! {
    pipeline_stages (id) {
        id -> Text, workspace_id -> Text, pipeline_id -> Text, name -> Text, position -> BigInt, probability -> BigInt,
        kind -> Text, required_fields -> Text,
    }
}

diesel::table! {
    deals (id) {
        id -> Text, workspace_id -> Text, name -> Text, sort_name -> Text, pipeline_id -> Text, stage_id -> Text,
        status -> Text, amount_e4 -> Nullable<BigInt>, currency -> Text, cost_e4 -> Nullable<BigInt>,
        close_date -> Nullable<Text>, owner_id -> Nullable<Text>, company_id -> Nullable<Text>, source -> Nullable<Text>,
        loss_reason -> Nullable<Text>, closed_at -> Nullable<BigInt>, stage_entered_at -> BigInt, contacts -> Text,
        line_items -> Text, tags -> Text, search_text -> Text, version -> BigInt, created_at -> BigInt,
        updated_at -> BigInt, deleted_at -> Nullable<BigInt>, external_id -> Nullable<Text>,
        custom -> Text,
    }
}

diesel::table! {
    deal_contacts (deal_id, contact_id) { workspace_id -> Text, deal_id -> Text, contact_id -> Text, role -> Nullable<Text>, }
}

diesel::table! {
    deal_lines (id) {
        id -> Text, workspace_id -> Text, deal_id -> Text, position -> BigInt, product_id -> Nullable<Text>, name -> Text,
        quantity_e4 -> BigInt, unit_price_e4 -> BigInt, discount_bp -> BigInt, unit_cost_e4 -> Nullable<BigInt>,
        total_e4 -> BigInt,
    }
}

diesel::table! {
    deal_stage_history (id) {
        id -> Text, workspace_id -> Text, deal_id -> Text, pipeline_id -> Text, stage_id -> Text, entered_at -> BigInt,
        left_at -> Nullable<BigInt>, actor_id -> Nullable<Text>,
    }
}

diesel::table! {
    web_forms (id) {
        id -> Text, workspace_id -> Text, name -> Text, form_key -> Text, source -> Text, owner_id -> Nullable<Text>,
        active -> Integer, max_per_hour -> BigInt, submissions -> BigInt, version -> BigInt, created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    form_submissions (id) { id -> Text, form_id -> Text, client -> Text, outcome -> Text, at -> BigInt, }
}

diesel::table! {
    leads (id) {
        id -> Text, workspace_id -> Text, first_name -> Text, last_name -> Nullable<Text>, display_name -> Text,
        sort_name -> Text, email -> Nullable<Text>, email_key -> Nullable<Text>, phone -> Nullable<Text>,
        company_name -> Nullable<Text>, title -> Nullable<Text>, status -> Text, disqualify_reason -> Nullable<Text>,
        source -> Nullable<Text>, form_id -> Nullable<Text>, owner_id -> Nullable<Text>, notes -> Nullable<Text>,
        converted_at -> Nullable<BigInt>, contact_id -> Nullable<Text>, company_id -> Nullable<Text>,
        deal_id -> Nullable<Text>, tags -> Text, search_text -> Text, version -> BigInt, created_at -> BigInt,
        updated_at -> BigInt, deleted_at -> Nullable<BigInt>,
        custom -> Text,
    }
}

diesel::table! {
    activities (id) {
        id -> Text, workspace_id -> Text, kind -> Text, direction -> Nullable<Text>, subject -> Text, sort_name -> Text,
        body -> Nullable<Text>, occurred_at -> BigInt, duration_seconds -> Nullable<BigInt>, outcome -> Nullable<Text>,
        owner_id -> Nullable<Text>, company_id -> Nullable<Text>, deal_id -> Nullable<Text>, case_id -> Nullable<Text>,
        lead_id -> Nullable<Text>, contacts -> Text, users -> Text, version -> BigInt, created_at -> BigInt,
        updated_at -> BigInt, deleted_at -> Nullable<BigInt>,
        custom -> Text,
    }
}

diesel::table! {
    activity_participants (activity_id, kind, participant_id) {
        workspace_id -> Text, activity_id -> Text, kind -> Text, participant_id -> Text, occurred_at -> BigInt,
    }
}

diesel::table! {
    tasks (id) {
        id -> Text, workspace_id -> Text, title -> Text, sort_name -> Text, notes -> Nullable<Text>,
        due_at -> Nullable<BigInt>, due_sort -> BigInt, reminder_at -> Nullable<BigInt>, owner_id -> Nullable<Text>,
        priority -> Text, status -> Text, related_type -> Nullable<Text>, related_id -> Nullable<Text>,
        completed_at -> Nullable<BigInt>, version -> BigInt, created_at -> BigInt, updated_at -> BigInt,
        deleted_at -> Nullable<BigInt>,
        custom -> Text,
    }
}

diesel::table! {
    sla_policies (workspace_id, priority) {
        workspace_id -> Text, priority -> Text, first_response_minutes -> BigInt, resolution_minutes -> BigInt,
        warn_minutes -> Nullable<BigInt>,
    }
}

diesel::table! {
    counters (workspace_id, name) { workspace_id -> Text, name -> Text, value -> BigInt, }
}

diesel::table! {
    cases (id) {
        id -> Text, workspace_id -> Text, number -> BigInt, subject -> Text, sort_name -> Text,
        description -> Nullable<Text>, contact_id -> Nullable<Text>, company_id -> Nullable<Text>, channel -> Text,
        priority -> Text, status -> Text, owner_id -> Nullable<Text>, team_id -> Nullable<Text>,
        first_response_due_at -> BigInt, resolution_due_at -> BigInt, first_response_at -> Nullable<BigInt>,
        resolved_at -> Nullable<BigInt>, closed_at -> Nullable<BigInt>, reopen_count -> BigInt, csat -> Nullable<BigInt>,
        csat_comment -> Nullable<Text>, tags -> Text, search_text -> Text, version -> BigInt, created_at -> BigInt,
        updated_at -> BigInt, deleted_at -> Nullable<BigInt>, external_id -> Nullable<Text>,
        custom -> Text,
    }
}

diesel::table! {
    exchange_rates (workspace_id, currency, valid_from) {
        workspace_id -> Text, currency -> Text, valid_from -> Text, rate_e12 -> BigInt, created_at -> BigInt,
    }
}

diesel::table! {
    orders (id) {
        id -> Text, workspace_id -> Text, number -> BigInt, external_id -> Nullable<Text>, contact_id -> Nullable<Text>,
        company_id -> Nullable<Text>, deal_id -> Nullable<Text>, ordered_at -> BigInt, channel -> Text, status -> Text,
        currency -> Text, subtotal_e4 -> BigInt, shipping_e4 -> BigInt, tax_e4 -> BigInt, total_e4 -> BigInt,
        cost_e4 -> Nullable<BigInt>, base_total_e4 -> BigInt, line_items -> Text, owner_id -> Nullable<Text>,
        notes -> Nullable<Text>, sort_name -> Text, version -> BigInt, created_at -> BigInt, updated_at -> BigInt,
        deleted_at -> Nullable<BigInt>,
        custom -> Text,
    }
}

diesel::table! {
    order_lines (id) {
        id -> Text, workspace_id -> Text, order_id -> Text, position -> BigInt, product_id -> Nullable<Text>, name -> Text,
        quantity_e4 -> BigInt, unit_price_e4 -> BigInt, discount_bp -> BigInt, unit_cost_e4 -> Nullable<BigInt>,
        total_e4 -> BigInt,
    }
}

diesel::table! {
    search_terms (workspace_id, entity_type, term, entity_id) {
        workspace_id -> Text, entity_type -> Text, term -> Text, entity_id -> Text,
    }
}

diesel::table! {
    search_custom_terms (workspace_id, entity_type, term, entity_id) {
        workspace_id -> Text, entity_type -> Text, term -> Text, entity_id -> Text,
    }
}

diesel::joinable!(contacts -> companies (company_id));
diesel::table! {
    webhooks (id) {
        id -> Text, workspace_id -> Text, url -> Text, description -> Text, events -> Text, filter -> Nullable<Text>,
        secret -> Text, enabled -> Integer, allow_private -> Integer, failure_streak -> Integer, disabled_reason -> Nullable<Text>,
        created_by -> Nullable<Text>, created_at -> BigInt, updated_at -> BigInt, version -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text, workspace_id -> Text, webhook_id -> Text, event_id -> Text, event_type -> Text, payload -> Text,
        status -> Text, attempts -> Integer, next_attempt_at -> BigInt, locked_until -> Nullable<BigInt>,
        lock_token -> Nullable<Text>, last_status -> Nullable<Integer>, last_error -> Nullable<Text>,
        replay_of -> Nullable<Text>, created_at -> BigInt, delivered_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text, delivery_id -> Text, workspace_id -> Text, at -> BigInt, status_code -> Nullable<Integer>,
        response -> Nullable<Text>, error -> Nullable<Text>, duration_ms -> BigInt,
    }
}

diesel::table! {
    inbound_events (workspace_id, source, event_id) {
        workspace_id -> Text, source -> Text, event_id -> Text, id -> Text, event_type -> Text, contact_id -> Text,
        company_id -> Nullable<Text>, occurred_at -> BigInt, received_at -> BigInt, body -> Text,
    }
}

diesel::table! {
    live_events (seq) {
        seq -> BigInt, workspace_id -> Text, user_id -> Text, kind -> Text, payload -> Text, at -> BigInt,
    }
}

diesel::table! {
    calls (id) {
        id -> Text, workspace_id -> Text, call_id -> Text, direction -> Text, from_number -> Nullable<Text>,
        to_number -> Nullable<Text>, agent_id -> Nullable<Text>, status -> Text, contact_ids -> Text,
        company_id -> Nullable<Text>, rang_at -> Nullable<BigInt>, answered_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>, activity_id -> Nullable<Text>, created_at -> BigInt, updated_at -> BigInt,
    }
}

diesel::table! {
    reminders (workspace_id, kind, subject_id) { workspace_id -> Text, kind -> Text, subject_id -> Text, fire_at -> BigInt, }
}

diesel::table! {
    assignment_rules (workspace_id, entity, team_id) {
        workspace_id -> Text, entity -> Text, team_id -> Text, position -> BigInt, method -> Text,
        last_user_id -> Nullable<Text>, turn -> BigInt, conditions -> Text,
    }
}

diesel::table! {
    email_messages (workspace_id, message_id) {
        workspace_id -> Text, message_id -> Text, activity_id -> Text, thread_id -> Text, in_reply_to -> Nullable<Text>,
        direction -> Text, from_address -> Text, received_at -> BigInt,
    }
}

diesel::table! {
    email_settings (workspace_id) {
        workspace_id -> Text, host -> Text, port -> BigInt, security -> Text, username -> Nullable<Text>,
        password -> Nullable<Text>, from_address -> Text, from_name -> Nullable<Text>, version -> BigInt, updated_at -> BigInt,
    }
}

diesel::table! {
    email_templates (id) {
        id -> Text, workspace_id -> Text, name -> Text, subject -> Text, body -> Text, version -> BigInt,
        created_at -> BigInt, updated_at -> BigInt,
    }
}

diesel::table! {
    saved_views (id) {
        id -> Text, workspace_id -> Text, user_id -> Text, list -> Text, name -> Text, shared -> Integer,
        definition -> Text, created_at -> BigInt, updated_at -> BigInt,
    }
}

diesel::table! {
    customer_metrics (workspace_id, contact_id) {
        workspace_id -> Text, contact_id -> Text, first_purchase_at -> BigInt, last_purchase_at -> BigInt, orders -> BigInt,
        revenue_e4 -> BigInt, costed_revenue_e4 -> BigInt, cost_e4 -> BigInt, orders_without_cost -> BigInt,
        recency_score -> Nullable<Integer>, frequency_score -> Nullable<Integer>, monetary_score -> Nullable<Integer>,
        rfm_group -> Nullable<Text>, updated_at -> BigInt,
    }
}

diesel::table! {
    rfm_cells (workspace_id, recency, frequency) {
        workspace_id -> Text, recency -> Integer, frequency -> Integer, customers -> BigInt, revenue_e4 -> Double,
    }
}

diesel::table! {
    propensity_models (workspace_id) {
        workspace_id -> Text, trained_at -> BigInt, horizon_days -> Integer, model -> Text, quality -> Text,
        refused -> Nullable<Text>,
    }
}

diesel::table! {
    propensity_scores (workspace_id, contact_id) {
        workspace_id -> Text, contact_id -> Text, score_e4 -> Integer, reasons -> Text,
    }
}

diesel::table! {
    analytics_state (workspace_id) {
        workspace_id -> Text, rfm_cuts -> Nullable<Text>, rfm_fixed -> Integer, metrics_at -> Nullable<BigInt>, cohorts -> Nullable<Text>,
        cost_per_case_e4 -> Nullable<BigInt>, cost_per_activity_hour_e4 -> Nullable<BigInt>,
    }
}

diesel::table! {
    segments (id) {
        id -> Text, workspace_id -> Text, name -> Text, description -> Nullable<Text>, rules -> Text, kind -> Text,
        shared -> Integer, owner_id -> Nullable<Text>, members -> BigInt, evaluated_at -> BigInt, version -> BigInt,
        created_at -> BigInt, updated_at -> BigInt,
    }
}

diesel::table! { segment_members (segment_id, contact_id) { segment_id -> Text, contact_id -> Text, since -> BigInt, } }

diesel::table! {
    segment_changes (segment_id, at, contact_id) { segment_id -> Text, at -> BigInt, contact_id -> Text, entered -> Integer, }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::table! {
    contact_facts (workspace_id, contact_id) {
        workspace_id -> Text, contact_id -> Text, lifecycle_stage -> Text, owner_id -> Nullable<Text>, created_at -> BigInt,
        orders -> BigInt, revenue_e4 -> BigInt, margin_e4 -> Nullable<BigInt>, first_purchase_at -> Nullable<BigInt>,
        last_purchase_at -> Nullable<BigInt>, recency_score -> Nullable<Integer>, frequency_score -> Nullable<Integer>,
        monetary_score -> Nullable<Integer>, rfm_group -> Nullable<Text>,
    }
}

diesel::table! {
    imports (id) {
        id -> Text, workspace_id -> Text, created_by -> Nullable<Text>, entity -> Text, file_name -> Text, size_bytes -> BigInt,
        encoding -> Text, delimiter -> Text, headers -> Text, config -> Nullable<Text>, status -> Text, dry_run -> Integer,
        rows_estimate -> Nullable<BigInt>, rows_total -> Nullable<BigInt>, rows_done -> BigInt, created -> BigInt, updated -> BigInt, unchanged -> BigInt,
        skipped -> BigInt, rejected -> BigInt, lease_until -> Nullable<BigInt>, error -> Nullable<Text>,
        started_at -> Nullable<BigInt>, finished_at -> Nullable<BigInt>, version -> BigInt, created_at -> BigInt, updated_at -> BigInt,
    }
}

diesel::table! { import_chunks (import_id, seq) { import_id -> Text, seq -> Integer, data -> Binary, } }

diesel::table! {
    import_rows (import_id, line) {
        import_id -> Text, line -> BigInt, outcome -> Text, row_key -> Nullable<Text>, record_id -> Nullable<Text>, version_after -> Nullable<BigInt>,
        before -> Nullable<Text>, problems -> Nullable<Text>, cells -> Nullable<Text>,
    }
}

diesel::table! {
    duplicate_pairs (id) {
        id -> Text, workspace_id -> Text, first_id -> Text, second_id -> Text, evidence -> Text, status -> Text,
        found_at -> BigInt, decided_at -> Nullable<BigInt>, decided_by -> Nullable<Text>, merge_id -> Nullable<Text>,
    }
}

diesel::table! {
    merges (id) {
        id -> Text, workspace_id -> Text, entity -> Text, survivor_id -> Text, merged_id -> Text, survivor_before -> Text,
        survivor_version -> BigInt, links -> Text, created_by -> Nullable<Text>, created_at -> BigInt,
        undone_at -> Nullable<BigInt>, undone_by -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    contacts,
    segments,
    segment_members,
    segment_changes,
    companies,
    record_tags,
    contact_points,
    memberships,
    users,
    team_members,
    teams,
    workspaces,
    deals,
    deal_contacts,
    deal_lines,
    pipelines,
    pipeline_stages,
    products,
    deal_stage_history,
    web_forms,
    form_submissions,
    leads,
    activities,
    activity_participants,
    tasks,
    sla_policies,
    counters,
    cases,
    exchange_rates,
    orders,
    order_lines,
    search_terms,
    search_custom_terms,
    timeline,
    notifications,
    follows,
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    inbound_events,
    live_events,
    calls,
    reminders,
    assignment_rules,
    email_messages,
    email_settings,
    email_templates,
    saved_views,
    customer_metrics,
    rfm_cells,
    propensity_models,
    propensity_scores
);
