//! The platform core: identity and hierarchy, organizations, patients (PHI encrypted), products,
//! verification requests with their workflow tables, orders, and the audit chain.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(super) fn fk(
    table: &'static str,
    col: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn fk_cascade(
    table: &'static str,
    col: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    let mut f = fk(table, col, to);
    f.on_delete(ForeignKeyAction::Cascade);
    f
}

pub(super) fn idx(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_")))
        .table(table);
    for c in cols {
        i.col(*c);
    }
    i.to_owned()
}

pub(super) fn ts(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone(col)
}

pub(super) fn ts_null(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut tables: Vec<TableCreateStatement> = Vec::new();
        let mut indexes: Vec<IndexCreateStatement> = Vec::new();

        // Numbering for human-facing identifiers (order numbers keyed on a phone keypad).
        tables.push(
            Table::create()
                .table("counters")
                .col(string("name").primary_key())
                .col(big_integer("value"))
                .to_owned(),
        );

        tables.push(
            Table::create()
                .table("organizations")
                .col(pk_uuid("id"))
                .col(string("name"))
                .col(string("kind"))
                .col(ts("created_at"))
                .to_owned(),
        );

        tables.push(
            Table::create()
                .table("territories")
                .col(pk_uuid("id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .col(json("dialed_numbers"))
                .col(json("states"))
                .col(ts("created_at"))
                .to_owned(),
        );

        tables.push(
            Table::create()
                .table("facilities")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(string("name"))
                .col(string_null("npi"))
                .col(string_null("phone"))
                .col(string_null("address_line1"))
                .col(string_null("city"))
                .col(string_null("state"))
                .col(string_null("postal_code"))
                .col(uuid_null("territory_id"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("facilities", "organization_id", "organizations"))
                .foreign_key(&mut fk("facilities", "territory_id", "territories"))
                .to_owned(),
        );

        tables.push(
            Table::create()
                .table("users")
                .col(pk_uuid("id"))
                .col(string_uniq("email"))
                .col(string("password_hash"))
                .col(string("role"))
                .col(string("full_name"))
                .col(string_null("phone"))
                .col(string_null("npi"))
                .col(boolean("is_active"))
                .col(uuid_null("manager_id"))
                .col(uuid_null("organization_id"))
                .col(uuid_null("facility_id"))
                .col(uuid_null("territory_id"))
                .col(integer("failed_login_count"))
                .col(ts_null("locked_until"))
                .col(ts_null("last_login_at"))
                .col(ts("password_changed_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("users", "manager_id", "users"))
                .foreign_key(&mut fk("users", "organization_id", "organizations"))
                .foreign_key(&mut fk("users", "facility_id", "facilities"))
                .foreign_key(&mut fk("users", "territory_id", "territories"))
                .to_owned(),
        );
        indexes.push(idx("users", &["manager_id"]));
        indexes.push(idx("users", &["role"]));

        // Closure table of the sales hierarchy: every (ancestor, descendant) pair, including
        // each user with itself at depth 0. Scoping a query to "my downline" is one IN.
        tables.push(
            Table::create()
                .table("user_hierarchy")
                .col(uuid("ancestor_id"))
                .col(uuid("descendant_id"))
                .col(integer("depth"))
                .primary_key(Index::create().col("ancestor_id").col("descendant_id"))
                .foreign_key(&mut fk_cascade("user_hierarchy", "ancestor_id", "users"))
                .foreign_key(&mut fk_cascade("user_hierarchy", "descendant_id", "users"))
                .to_owned(),
        );
        indexes.push(idx("user_hierarchy", &["descendant_id"]));

        tables.push(
            Table::create()
                .table("assignment_history")
                .col(pk_uuid("id"))
                .col(uuid("user_id"))
                .col(uuid_null("previous_manager_id"))
                .col(uuid_null("new_manager_id"))
                .col(uuid_null("changed_by"))
                .col(string_null("reason"))
                .col(ts("changed_at"))
                .foreign_key(&mut fk("assignment_history", "user_id", "users"))
                .to_owned(),
        );
        indexes.push(idx("assignment_history", &["user_id"]));

        // One row per login. The refresh token rotates on every use; the previous hash is kept
        // so a replayed (stolen) token is recognised and the whole session revoked.
        tables.push(
            Table::create()
                .table("user_sessions")
                .col(pk_uuid("id"))
                .col(uuid("user_id"))
                .col(string_uniq("refresh_token_hash"))
                .col(string_null("previous_refresh_hash"))
                .col(ts("created_at"))
                .col(ts("last_seen_at"))
                .col(ts("expires_at"))
                .col(ts_null("revoked_at"))
                .col(string_null("revoked_reason"))
                .col(string_null("user_agent"))
                .col(string_null("ip_address"))
                .foreign_key(&mut fk_cascade("user_sessions", "user_id", "users"))
                .to_owned(),
        );
        indexes.push(idx("user_sessions", &["user_id"]));
        indexes.push(idx("user_sessions", &["previous_refresh_hash"]));

        tables.push(
            Table::create()
                .table("providers")
                .col(pk_uuid("id"))
                .col(uuid_null("facility_id"))
                .col(uuid_null("user_id"))
                .col(string("full_name"))
                .col(string_uniq("npi"))
                .col(string_null("specialty"))
                .col(string_null("phone"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("providers", "facility_id", "facilities"))
                .foreign_key(&mut fk("providers", "user_id", "users"))
                .to_owned(),
        );

        // PHI columns end in _enc (AES-256-GCM, key id inside the value); *_index columns are
        // HMAC blind indexes for exact-match search.
        tables.push(
            Table::create()
                .table("patients")
                .col(pk_uuid("id"))
                .col(string_uniq("patient_number"))
                .col(uuid("doctor_id"))
                .col(uuid_null("facility_id"))
                .col(uuid_null("territory_id"))
                .col(blob("first_name_enc"))
                .col(blob("last_name_enc"))
                .col(blob("date_of_birth_enc"))
                .col(blob_null("phone_enc"))
                .col(blob_null("email_enc"))
                .col(blob_null("address_enc"))
                .col(blob_null("clinical_notes_enc"))
                .col(string_null("phone_index"))
                .col(string("dob_last_name_index"))
                .col(string("preferred_language"))
                .col(string("status"))
                .col(integer("verification_attempts"))
                .col(ts_null("last_verified_at"))
                .col(string_null("phone_pin_hash"))
                .col(ts_null("phone_locked_until"))
                .col(uuid("created_by"))
                .col(ts_null("archived_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("patients", "doctor_id", "users"))
                .foreign_key(&mut fk("patients", "facility_id", "facilities"))
                .foreign_key(&mut fk("patients", "territory_id", "territories"))
                .to_owned(),
        );
        indexes.push(idx("patients", &["doctor_id", "created_at"]));
        indexes.push(idx("patients", &["phone_index"]));
        indexes.push(idx("patients", &["dob_last_name_index"]));

        tables.push(
            Table::create()
                .table("patient_insurance")
                .col(pk_uuid("id"))
                .col(uuid("patient_id"))
                .col(string("payer_name"))
                .col(string_null("plan_type"))
                .col(blob("member_id_enc"))
                .col(blob_null("group_number_enc"))
                .col(blob_null("subscriber_name_enc"))
                .col(boolean("is_primary"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "patient_insurance",
                    "patient_id",
                    "patients",
                ))
                .to_owned(),
        );
        indexes.push(idx("patient_insurance", &["patient_id"]));

        // Which fields changed, never their values: the values are PHI.
        tables.push(
            Table::create()
                .table("patient_history")
                .col(pk_uuid("id"))
                .col(uuid("patient_id"))
                .col(uuid("actor_id"))
                .col(string("action"))
                .col(json("changed_fields"))
                .col(ts("created_at"))
                .foreign_key(&mut fk_cascade("patient_history", "patient_id", "patients"))
                .to_owned(),
        );
        indexes.push(idx("patient_history", &["patient_id", "created_at"]));

        tables.push(
            Table::create()
                .table("products")
                .col(pk_uuid("id"))
                .col(string_uniq("sku"))
                .col(string("name"))
                .col(string("category"))
                .col(string_null("hcpcs_code"))
                .col(text_null("description"))
                .col(string_null("manufacturer"))
                .col(boolean("is_active"))
                .col(ts("created_at"))
                .to_owned(),
        );

        tables.push(
            Table::create()
                .table("product_sizes")
                .col(pk_uuid("id"))
                .col(uuid("product_id"))
                .col(string("size_label"))
                .col(string_uniq("sku"))
                .col(big_integer("unit_price_cents"))
                .col(boolean("is_active"))
                .foreign_key(&mut fk_cascade("product_sizes", "product_id", "products"))
                .to_owned(),
        );
        indexes.push(idx("product_sizes", &["product_id"]));

        tables.push(
            Table::create()
                .table("ivr_templates")
                .col(pk_uuid("id"))
                .col(string("name"))
                .col(string("service_type"))
                .col(text_null("description"))
                .col(json("default_diagnosis_codes"))
                .col(json("default_products"))
                .col(text_null("justification_template"))
                .col(boolean("is_active"))
                .col(uuid("created_by"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("ivr_templates", "created_by", "users"))
                .to_owned(),
        );

        tables.push(
            Table::create()
                .table("ivr_requests")
                .col(pk_uuid("id"))
                .col(string_uniq("request_number"))
                .col(uuid("patient_id"))
                .col(uuid("doctor_id"))
                .col(uuid_null("facility_id"))
                .col(string("status"))
                .col(string("service_type"))
                .col(string("priority"))
                .col(json("diagnosis_codes"))
                .col(blob_null("medical_justification_enc"))
                .col(blob_null("doctor_comment_enc"))
                .col(blob_null("ivr_response_enc"))
                .col(uuid_null("assigned_specialist_id"))
                .col(uuid_null("template_id"))
                .col(uuid("created_by"))
                .col(integer("version"))
                .col(ts_null("submitted_at"))
                .col(ts_null("decided_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("ivr_requests", "patient_id", "patients"))
                .foreign_key(&mut fk("ivr_requests", "doctor_id", "users"))
                .foreign_key(&mut fk("ivr_requests", "facility_id", "facilities"))
                .foreign_key(&mut fk("ivr_requests", "assigned_specialist_id", "users"))
                .foreign_key(&mut fk("ivr_requests", "template_id", "ivr_templates"))
                .to_owned(),
        );
        indexes.push(idx("ivr_requests", &["doctor_id", "created_at"]));
        indexes.push(idx("ivr_requests", &["patient_id"]));
        indexes.push(idx("ivr_requests", &["status", "submitted_at"]));

        tables.push(
            Table::create()
                .table("ivr_products")
                .col(pk_uuid("id"))
                .col(uuid("ivr_request_id"))
                .col(uuid("product_id"))
                .col(string_null("notes"))
                .foreign_key(&mut fk_cascade(
                    "ivr_products",
                    "ivr_request_id",
                    "ivr_requests",
                ))
                .foreign_key(&mut fk("ivr_products", "product_id", "products"))
                .to_owned(),
        );
        indexes.push(idx("ivr_products", &["ivr_request_id"]));

        tables.push(
            Table::create()
                .table("ivr_product_sizes")
                .col(pk_uuid("id"))
                .col(uuid("ivr_product_id"))
                .col(uuid("product_size_id"))
                .col(integer("quantity"))
                .foreign_key(&mut fk_cascade(
                    "ivr_product_sizes",
                    "ivr_product_id",
                    "ivr_products",
                ))
                .foreign_key(&mut fk(
                    "ivr_product_sizes",
                    "product_size_id",
                    "product_sizes",
                ))
                .to_owned(),
        );
        indexes.push(idx("ivr_product_sizes", &["ivr_product_id"]));

        tables.push(
            Table::create()
                .table("ivr_status_history")
                .col(pk_uuid("id"))
                .col(uuid("ivr_request_id"))
                .col(string_null("from_status"))
                .col(string("to_status"))
                .col(uuid("actor_id"))
                .col(blob_null("note_enc"))
                .col(ts("created_at"))
                .foreign_key(&mut fk_cascade(
                    "ivr_status_history",
                    "ivr_request_id",
                    "ivr_requests",
                ))
                .to_owned(),
        );
        indexes.push(idx("ivr_status_history", &["ivr_request_id", "created_at"]));

        tables.push(
            Table::create()
                .table("ivr_approvals")
                .col(pk_uuid("id"))
                .col(uuid_uniq("ivr_request_id"))
                .col(uuid("approved_by"))
                .col(big_integer("deductible_cents"))
                .col(big_integer("copay_cents"))
                .col(integer("coinsurance_percent"))
                .col(big_integer("out_of_pocket_max_cents"))
                .col(boolean("prior_auth_required"))
                .col(string_null("prior_auth_number"))
                .col(blob_null("coverage_notes_enc"))
                .col(ts("approved_at"))
                .foreign_key(&mut fk_cascade(
                    "ivr_approvals",
                    "ivr_request_id",
                    "ivr_requests",
                ))
                .to_owned(),
        );

        tables.push(
            Table::create()
                .table("ivr_rejections")
                .col(pk_uuid("id"))
                .col(uuid("ivr_request_id"))
                .col(uuid("rejected_by"))
                .col(string("reason_code"))
                .col(blob_null("reason_enc"))
                .col(ts("rejected_at"))
                .foreign_key(&mut fk_cascade(
                    "ivr_rejections",
                    "ivr_request_id",
                    "ivr_requests",
                ))
                .to_owned(),
        );
        indexes.push(idx("ivr_rejections", &["ivr_request_id"]));

        tables.push(
            Table::create()
                .table("ivr_escalations")
                .col(pk_uuid("id"))
                .col(uuid("ivr_request_id"))
                .col(uuid("escalated_by"))
                .col(uuid_null("escalated_to"))
                .col(blob_null("reason_enc"))
                .col(ts_null("resolved_at"))
                .col(ts("created_at"))
                .foreign_key(&mut fk_cascade(
                    "ivr_escalations",
                    "ivr_request_id",
                    "ivr_requests",
                ))
                .to_owned(),
        );
        indexes.push(idx("ivr_escalations", &["ivr_request_id"]));

        tables.push(
            Table::create()
                .table("ivr_communication_messages")
                .col(pk_uuid("id"))
                .col(uuid("ivr_request_id"))
                .col(uuid("sender_id"))
                .col(string("kind"))
                .col(blob("body_enc"))
                .col(ts("created_at"))
                .foreign_key(&mut fk_cascade(
                    "ivr_communication_messages",
                    "ivr_request_id",
                    "ivr_requests",
                ))
                .to_owned(),
        );
        indexes.push(idx(
            "ivr_communication_messages",
            &["ivr_request_id", "created_at"],
        ));

        tables.push(
            Table::create()
                .table("ivr_documents")
                .col(pk_uuid("id"))
                .col(uuid("ivr_request_id"))
                .col(uuid("uploaded_by"))
                .col(blob("filename_enc"))
                .col(string("content_type"))
                .col(big_integer("size_bytes"))
                .col(string("sha256"))
                .col(blob("content_enc"))
                .col(ts("created_at"))
                .foreign_key(&mut fk_cascade(
                    "ivr_documents",
                    "ivr_request_id",
                    "ivr_requests",
                ))
                .to_owned(),
        );
        indexes.push(idx("ivr_documents", &["ivr_request_id"]));

        tables.push(
            Table::create()
                .table("orders")
                .col(pk_uuid("id"))
                .col(string_uniq("order_number"))
                .col(uuid("ivr_request_id"))
                .col(uuid("patient_id"))
                .col(uuid("doctor_id"))
                .col(string("status"))
                .col(blob_null("shipping_address_enc"))
                .col(string_null("carrier"))
                .col(string_null("tracking_number"))
                .col(date_null("expected_delivery"))
                .col(ts_null("shipped_at"))
                .col(ts_null("delivered_at"))
                .col(blob_null("notes_enc"))
                .col(big_integer("total_cents"))
                .col(uuid("created_by"))
                .col(uuid_null("approved_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("orders", "ivr_request_id", "ivr_requests"))
                .foreign_key(&mut fk("orders", "patient_id", "patients"))
                .foreign_key(&mut fk("orders", "doctor_id", "users"))
                .to_owned(),
        );
        indexes.push(idx("orders", &["doctor_id", "created_at"]));
        indexes.push(idx("orders", &["patient_id"]));
        indexes.push(idx("orders", &["status"]));

        tables.push(
            Table::create()
                .table("order_items")
                .col(pk_uuid("id"))
                .col(uuid("order_id"))
                .col(uuid("product_id"))
                .col(uuid("product_size_id"))
                .col(integer("quantity"))
                .col(big_integer("unit_price_cents"))
                .foreign_key(&mut fk_cascade("order_items", "order_id", "orders"))
                .foreign_key(&mut fk("order_items", "product_id", "products"))
                .foreign_key(&mut fk("order_items", "product_size_id", "product_sizes"))
                .to_owned(),
        );
        indexes.push(idx("order_items", &["order_id"]));

        tables.push(
            Table::create()
                .table("order_status_history")
                .col(pk_uuid("id"))
                .col(uuid("order_id"))
                .col(string_null("from_status"))
                .col(string("to_status"))
                .col(uuid("actor_id"))
                .col(string_null("note"))
                .col(ts("created_at"))
                .foreign_key(&mut fk_cascade(
                    "order_status_history",
                    "order_id",
                    "orders",
                ))
                .to_owned(),
        );
        indexes.push(idx("order_status_history", &["order_id", "created_at"]));

        // Append-only, hash-chained. `prev_hash` is unique: two writers that read the same
        // chain head cannot both append after it, so the chain can never fork.
        tables.push(
            Table::create()
                .table("audit_logs")
                .col(big_pk_auto("seq"))
                .col(uuid_uniq("id"))
                .col(ts("recorded_at"))
                .col(string("event_type"))
                .col(string("action"))
                .col(integer("outcome"))
                .col(uuid_null("agent_user_id"))
                .col(string_null("agent_role"))
                .col(string_null("agent_address"))
                .col(string_null("entity_type"))
                .col(string_null("entity_id"))
                .col(string("description"))
                .col(string_uniq("prev_hash"))
                .col(string("hash"))
                .to_owned(),
        );
        indexes.push(idx("audit_logs", &["recorded_at"]));
        indexes.push(idx("audit_logs", &["agent_user_id"]));
        indexes.push(idx("audit_logs", &["entity_type", "entity_id"]));

        for t in tables {
            m.create_table(t).await?;
        }
        for i in indexes {
            m.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_logs",
            "order_status_history",
            "order_items",
            "orders",
            "ivr_documents",
            "ivr_communication_messages",
            "ivr_escalations",
            "ivr_rejections",
            "ivr_approvals",
            "ivr_status_history",
            "ivr_product_sizes",
            "ivr_products",
            "ivr_requests",
            "ivr_templates",
            "product_sizes",
            "products",
            "patient_history",
            "patient_insurance",
            "patients",
            "providers",
            "user_sessions",
            "assignment_history",
            "user_hierarchy",
            "users",
            "facilities",
            "territories",
            "organizations",
            "counters",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
