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
    }
}

diesel::table! {
    contacts (id) {
        id -> Text, workspace_id -> Text, first_name -> Text, last_name -> Nullable<Text>, display_name -> Text,
        sort_name -> Text, title -> Nullable<Text>, company_id -> Nullable<Text>, emails -> Text, phones -> Text,
        lifecycle_stage -> Text, source -> Nullable<Text>, consent -> Text, owner_id -> Nullable<Text>, tags -> Text,
        search_text -> Text, version -> BigInt, created_at -> BigInt, updated_at -> BigInt, deleted_at -> Nullable<BigInt>,
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
    access_rules (workspace_id, role, entity) {
        workspace_id -> Text, role -> Text, entity -> Text, read_scope -> Text, write_scope -> Text,
    }
}

diesel::joinable!(contacts -> companies (company_id));
diesel::allow_tables_to_appear_in_same_query!(
    contacts,
    companies,
    record_tags,
    contact_points,
    memberships,
    users,
    team_members,
    teams,
    workspaces
);
