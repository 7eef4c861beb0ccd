//! The product catalogue: wound-care products, each sold in several sizes with their own SKU
//! and price. Not PHI; every signed-in role may read it.

use crate::entity::{product, product_size};
use crate::{Page, Store, StoreError, stored_time};
use careline_domain::HcpcsCode;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductSize {
    pub id: Uuid,
    pub product_id: Uuid,
    /// e.g. "4 in x 4 in"
    pub size_label: String,
    pub sku: String,
    pub unit_price_cents: i64,
    pub is_active: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Product {
    pub id: Uuid,
    pub sku: String,
    pub name: String,
    pub category: String,
    pub hcpcs_code: Option<String>,
    pub description: Option<String>,
    pub manufacturer: Option<String>,
    pub is_active: bool,
    pub sizes: Vec<ProductSize>,
}

#[derive(Debug, Clone)]
pub struct NewSize {
    pub size_label: String,
    pub sku: String,
    pub unit_price_cents: i64,
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub hcpcs_code: Option<HcpcsCode>,
    pub description: Option<String>,
    pub manufacturer: Option<String>,
    pub sizes: Vec<NewSize>,
}

fn to_size(m: product_size::Model) -> ProductSize {
    ProductSize {
        id: m.id,
        product_id: m.product_id,
        size_label: m.size_label,
        sku: m.sku,
        unit_price_cents: m.unit_price_cents,
        is_active: m.is_active,
    }
}

async fn assemble(store: &Store, rows: Vec<product::Model>) -> Result<Vec<Product>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
    let mut sizes: HashMap<Uuid, Vec<ProductSize>> = HashMap::new();
    if !ids.is_empty() {
        for s in product_size::Entity::find()
            .filter(product_size::Column::ProductId.is_in(ids))
            .order_by_asc(product_size::Column::UnitPriceCents)
            .all(store.db())
            .await?
        {
            sizes.entry(s.product_id).or_default().push(to_size(s));
        }
    }
    Ok(rows
        .into_iter()
        .map(|p| Product {
            sizes: sizes.remove(&p.id).unwrap_or_default(),
            id: p.id,
            sku: p.sku,
            name: p.name,
            category: p.category,
            hcpcs_code: p.hcpcs_code,
            description: p.description,
            manufacturer: p.manufacturer,
            is_active: p.is_active,
        })
        .collect())
}

pub async fn create(
    store: &Store,
    new: NewProduct,
    at: DateTime<Utc>,
) -> Result<Product, StoreError> {
    if new.sizes.is_empty() {
        return Err(StoreError::invalid(
            "sizes",
            "a product needs at least one size",
        ));
    }
    let (txn, _gate) = crate::begin_write(store).await?;
    let id = Uuid::now_v7();
    product::Entity::insert(product::ActiveModel {
        id: Set(id),
        sku: Set(new.sku),
        name: Set(new.name),
        category: Set(new.category),
        hcpcs_code: Set(new.hcpcs_code.map(|c| c.as_str().to_string())),
        description: Set(new.description),
        manufacturer: Set(new.manufacturer),
        is_active: Set(true),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|e| StoreError::from_unique(e, "a product with this SKU"))?;
    let sizes: Vec<product_size::ActiveModel> = new
        .sizes
        .into_iter()
        .map(|s| product_size::ActiveModel {
            id: Set(Uuid::now_v7()),
            product_id: Set(id),
            size_label: Set(s.size_label),
            sku: Set(s.sku),
            unit_price_cents: Set(s.unit_price_cents),
            is_active: Set(true),
        })
        .collect();
    product_size::Entity::insert_many(sizes)
        .exec_without_returning(&txn)
        .await
        .map_err(|e| StoreError::from_unique(e, "a product size with this SKU"))?;
    txn.commit().await?;
    get(store, id).await
}

pub async fn get(store: &Store, id: Uuid) -> Result<Product, StoreError> {
    let row = product::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("product"))?;
    Ok(assemble(store, vec![row]).await?.remove(0))
}

pub async fn list(
    store: &Store,
    category: Option<&str>,
    text: Option<&str>,
    page: u64,
    per_page: u64,
) -> Result<Page<Product>, StoreError> {
    let mut c = Condition::all().add(product::Column::IsActive.eq(true));
    if let Some(cat) = category {
        c = c.add(product::Column::Category.eq(cat));
    }
    if let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) {
        // LIKE is case-insensitive on SQLite but not on PostgreSQL: compare lower-cased on
        // both, so a search finds the same products whichever engine is behind it.
        let pattern = format!("%{}%", t.to_lowercase());
        let matches =
            |col: product::Column| Expr::expr(Func::lower(Expr::col(col))).like(pattern.as_str());
        c = c.add(
            Condition::any()
                .add(matches(product::Column::Name))
                .add(matches(product::Column::Sku))
                .add(matches(product::Column::HcpcsCode)),
        );
    }
    let q = product::Entity::find().filter(c);
    let total = q.clone().count(store.db()).await?;
    let rows = q
        .order_by_asc(product::Column::Name)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    Ok(Page {
        items: assemble(store, rows).await?,
        total,
        page,
        per_page,
    })
}

pub async fn categories(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(product::Entity::find()
        .select_only()
        .column(product::Column::Category)
        .distinct()
        .filter(product::Column::IsActive.eq(true))
        .order_by_asc(product::Column::Category)
        .into_tuple()
        .all(store.db())
        .await?)
}

/// Sizes by id with their product's name, for building requests and orders.
pub(crate) async fn sizes_with_products(
    db: &impl sea_orm::ConnectionTrait,
    size_ids: &[Uuid],
) -> Result<HashMap<Uuid, (product_size::Model, product::Model)>, StoreError> {
    if size_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sizes = product_size::Entity::find()
        .filter(product_size::Column::Id.is_in(size_ids.to_vec()))
        .all(db)
        .await?;
    let pids: Vec<Uuid> = sizes.iter().map(|s| s.product_id).collect();
    let products: HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(pids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(sizes
        .into_iter()
        .filter_map(|s| products.get(&s.product_id).cloned().map(|p| (s.id, (s, p))))
        .collect())
}
