//! Closed sets of values with stable wire names.

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire and storage name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the wire name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }

            /// The wire names joined for error messages.
            pub fn expected() -> String {
                [$($wire),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum!(
    /// What a member of a workspace may do.
    Role {
        /// Everything, including users, API keys and settings.
        Admin = "admin",
        /// Sales manager: all customer records, reports and targets.
        Manager = "manager",
        /// Sales rep: works customers and deals.
        SalesRep = "sales_rep",
        /// Marketing: segments, campaigns, consent.
        Marketing = "marketing",
        /// Service agent: cases and the customers behind them.
        ServiceAgent = "service_agent",
        /// Read-only analyst.
        Analyst = "analyst",
        /// A third-party system acting through an API key.
        Integration = "integration",
    }
);

impl Role {
    /// May this role create, change and delete customer records?
    pub fn can_write_records(self) -> bool {
        !matches!(self, Role::Analyst)
    }

    /// May this role manage users, API keys and workspace settings?
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin)
    }
}

wire_enum!(
    /// Where a person stands in their relationship with the business.
    LifecycleStage {
        Lead = "lead",
        Prospect = "prospect",
        Customer = "customer",
        Churned = "churned",
    }
);

wire_enum!(
    /// Marketing consent as recorded for a person.
    Consent {
        Unknown = "unknown",
        OptedIn = "opted_in",
        OptedOut = "opted_out",
    }
);

wire_enum!(
    /// What kind of email address it is.
    EmailLabel {
        Work = "work",
        Personal = "personal",
        Other = "other",
    }
);

wire_enum!(
    /// What kind of phone number it is.
    PhoneLabel {
        Mobile = "mobile",
        Work = "work",
        Home = "home",
        Fax = "fax",
        Other = "other",
    }
);

wire_enum!(
    /// The channel a customer first came through.
    Source {
        WebForm = "web_form",
        Import = "import",
        Api = "api",
        Referral = "referral",
        Event = "event",
        ColdCall = "cold_call",
        Email = "email",
        Social = "social",
        Partner = "partner",
        Advertising = "advertising",
        StoreVisit = "store_visit",
        Other = "other",
    }
);

wire_enum!(
    /// The lists a person can save views of.
    ViewList {
        Contacts = "contacts",
        Companies = "companies",
        Leads = "leads",
        Deals = "deals",
        Products = "products",
        Orders = "orders",
        Activities = "activities",
        Tasks = "tasks",
        Cases = "cases",
    }
);
