//! The order lifecycle: pending → approved → processing → shipped → delivered, or cancelled
//! before it ships. One state machine used by every code path that changes an order.

use crate::IllegalTransition;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Approved,
    Processing,
    Shipped,
    Delivered,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    Approve,
    StartProcessing,
    Ship,
    Deliver,
    Cancel,
}

impl OrderAction {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderAction::Approve => "approve",
            OrderAction::StartProcessing => "start processing",
            OrderAction::Ship => "ship",
            OrderAction::Deliver => "deliver",
            OrderAction::Cancel => "cancel",
        }
    }
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Pending,
        OrderStatus::Approved,
        OrderStatus::Processing,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Approved => "approved",
            OrderStatus::Processing => "processing",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// How a person on the phone or a status page would say it.
    pub fn describe(self) -> &'static str {
        match self {
            OrderStatus::Pending => "received and waiting for approval",
            OrderStatus::Approved => "approved and waiting to be prepared",
            OrderStatus::Processing => "being prepared for shipment",
            OrderStatus::Shipped => "on its way",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, OrderStatus::Delivered | OrderStatus::Cancelled)
    }

    pub fn apply(self, action: OrderAction) -> Result<OrderStatus, IllegalTransition> {
        use OrderAction as A;
        use OrderStatus as S;
        let next = match (self, action) {
            (S::Pending, A::Approve) => Some(S::Approved),
            (S::Approved, A::StartProcessing) => Some(S::Processing),
            (S::Processing, A::Ship) => Some(S::Shipped),
            (S::Shipped, A::Deliver) => Some(S::Delivered),
            (S::Pending | S::Approved | S::Processing, A::Cancel) => Some(S::Cancelled),
            _ => None,
        };
        next.ok_or(IllegalTransition {
            entity: "order",
            from: self.as_str(),
            action: action.as_str(),
        })
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        OrderStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == lower)
            .ok_or_else(|| format!("unknown order status '{s}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderAction as A;
    use OrderStatus as S;

    #[test]
    fn full_lifecycle() {
        let mut s = S::Pending;
        for a in [A::Approve, A::StartProcessing, A::Ship, A::Deliver] {
            s = s.apply(a).unwrap();
        }
        assert_eq!(s, S::Delivered);
    }

    #[test]
    fn shipped_orders_cannot_be_cancelled() {
        let err = S::Shipped.apply(A::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "cannot cancel this order: it is shipped");
        assert!(S::Processing.apply(A::Cancel).is_ok());
    }

    #[test]
    fn no_skipping_steps() {
        assert!(S::Pending.apply(A::Ship).is_err());
        assert!(S::Approved.apply(A::Deliver).is_err());
    }
}
