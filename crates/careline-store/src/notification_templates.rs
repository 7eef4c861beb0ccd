//! A practice's own wording of its notices, per kind of notice, channel and language, and the
//! one place that decides which wording a notice is sent in (`effective`). Only what a
//! practice changed is stored; everything else is CareLine's built-in English
//! (`Template::built_in`). Every template is checked by `Template::validate` before it is
//! written, so a stored template never names a placeholder its kind may not use.

use crate::entity::notification_template as row;
use crate::{Store, StoreError, stored_time};
use careline_domain::notification::{Channel, NotificationKind, Template};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// The language every practice has: the built-in wording's, and the fallback of all others.
pub const DEFAULT_LANGUAGE: &str = "en";

/// A practice's template as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeTemplate {
    pub organization_id: Uuid,
    pub template: Template,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// Language tags compare without case (`es-MX` is `es-mx`); they are stored in lower case so
/// the unique index sees one tag once.
fn normalize_language(language: &str) -> String {
    language.trim().to_ascii_lowercase()
}

/// A row as a template; `None` for a row this version does not know (a kind or channel a
/// newer version wrote), which is then skipped rather than failing the whole list.
fn decode(m: row::Model) -> Option<PracticeTemplate> {
    Some(PracticeTemplate {
        organization_id: m.organization_id,
        template: Template {
            kind: NotificationKind::parse(&m.kind)?,
            channel: Channel::parse(&m.channel)?,
            language: m.language,
            subject: m.subject,
            body: m.body,
        },
        updated_by: m.updated_by,
        updated_at: m.updated_at,
    })
}

fn key(
    organization_id: Uuid,
    kind: NotificationKind,
    channel: Channel,
    language: &str,
) -> Condition {
    Condition::all()
        .add(row::Column::OrganizationId.eq(organization_id))
        .add(row::Column::Kind.eq(kind.as_str()))
        .add(row::Column::Channel.eq(channel.as_str()))
        .add(row::Column::Language.eq(normalize_language(language)))
}

/// The practice's own templates, by kind, channel and language.
pub async fn list(
    store: &Store,
    organization_id: Uuid,
) -> Result<Vec<PracticeTemplate>, StoreError> {
    let mut out: Vec<PracticeTemplate> = row::Entity::find()
        .filter(row::Column::OrganizationId.eq(organization_id))
        .order_by_asc(row::Column::Language)
        .all(store.db())
        .await?
        .into_iter()
        .filter_map(decode)
        .collect();
    out.sort_by(|a, b| {
        (a.template.kind, a.template.channel, &a.template.language).cmp(&(
            b.template.kind,
            b.template.channel,
            &b.template.language,
        ))
    });
    Ok(out)
}

/// The practice's own template for exactly this kind, channel and language, if it has one.
pub async fn get(
    db: &impl sea_orm::ConnectionTrait,
    organization_id: Uuid,
    kind: NotificationKind,
    channel: Channel,
    language: &str,
) -> Result<Option<PracticeTemplate>, StoreError> {
    Ok(row::Entity::find()
        .filter(key(organization_id, kind, channel, language))
        .one(db)
        .await?
        .and_then(decode))
}

/// Write a practice's template for its kind, channel and language, replacing the one it had.
/// Refused with every problem (`StoreError::Invalid`, field by field) when
/// `Template::validate` finds any: an unknown placeholder, a channel the kind does not use, a
/// subject where the channel has none, a body too long. The language is stored in lower case.
pub async fn save(
    store: &Store,
    organization_id: Uuid,
    template: &Template,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<PracticeTemplate, StoreError> {
    let mut template = template.clone();
    template.language = normalize_language(&template.language);
    template.validate().map_err(StoreError::Invalid)?;
    let (txn, _gate) = crate::begin_write(store).await?;
    if crate::entity::organization::Entity::find_by_id(organization_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound("organization"));
    }
    let t = stored_time(at);
    let model = row::ActiveModel {
        id: Set(Uuid::new_v4()),
        organization_id: Set(organization_id),
        kind: Set(template.kind.as_str().to_string()),
        channel: Set(template.channel.as_str().to_string()),
        language: Set(template.language.clone()),
        subject: Set(template.subject.clone()),
        body: Set(template.body.clone()),
        updated_by: Set(by),
        updated_at: Set(t),
    };
    // One statement, so two managers saving the same template at once both succeed (the
    // later one's wording stays) instead of one failing on the unique index.
    row::Entity::insert(model)
        .on_conflict(
            OnConflict::columns([
                row::Column::OrganizationId,
                row::Column::Kind,
                row::Column::Channel,
                row::Column::Language,
            ])
            .update_columns([
                row::Column::Subject,
                row::Column::Body,
                row::Column::UpdatedBy,
                row::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(PracticeTemplate {
        organization_id,
        template,
        updated_by: by,
        updated_at: t,
    })
}

/// Remove a practice's template: the notice goes back to the next wording `effective` finds
/// (the practice's English one, else the built-in). Returns whether there was one.
pub async fn delete(
    store: &Store,
    organization_id: Uuid,
    kind: NotificationKind,
    channel: Channel,
    language: &str,
) -> Result<bool, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let r = row::Entity::delete_many()
        .filter(key(organization_id, kind, channel, language))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(r.rows_affected > 0)
}

/// The wording a notice is sent in: the practice's template in `language`; else, for a
/// regional tag such as `es-MX`, the practice's in its base language (`es`); else the
/// practice's in English; else CareLine's built-in English. The returned template's
/// `language` says which was found, so a caller can tell the patient's language was not
/// available. `db` is the store's connection (`store.db()`) or a transaction.
///
/// Fails only on a database error, or (`StoreError::Invalid`, field `channel`) when the
/// kind is never sent on that channel (a password reset by SMS), which is a caller's defect.
pub async fn effective(
    db: &impl sea_orm::ConnectionTrait,
    organization_id: Uuid,
    kind: NotificationKind,
    channel: Channel,
    language: &str,
) -> Result<Template, StoreError> {
    let Some(built_in) = Template::built_in(kind, channel) else {
        return Err(StoreError::invalid(
            "channel",
            format!(
                "{} notices are not sent by {}",
                kind.as_str(),
                channel.as_str()
            ),
        ));
    };
    for lang in fallbacks(language) {
        if let Some(t) = get(db, organization_id, kind, channel, &lang).await? {
            return Ok(t.template);
        }
    }
    Ok(built_in)
}

/// The languages `effective` tries, in order, before the built-in wording.
pub fn fallbacks(language: &str) -> Vec<String> {
    let mut out = vec![normalize_language(language)];
    if let Some((base, _)) = out[0].split_once('-') {
        out.push(base.to_string());
    }
    out.push(DEFAULT_LANGUAGE.to_string());
    out.retain(|l| !l.is_empty());
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallbacks_go_from_the_region_to_the_language_to_english() {
        assert_eq!(fallbacks("es-MX"), ["es-mx", "es", "en"]);
        assert_eq!(fallbacks("es"), ["es", "en"]);
        assert_eq!(fallbacks("en"), ["en"]);
        assert_eq!(fallbacks("EN-us"), ["en-us", "en"]);
    }
}
