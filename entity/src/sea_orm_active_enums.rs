//! Enumerations stored as text; the migration holds the matching CHECK constraints.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a text-backed enum whose database value and GraphQL name are the
/// SCREAMING_SNAKE_CASE variant name, so the two can never drift apart.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] #[serde(rename = $value)] $variant),+
        }

        impl $name {
            /// Every database value, for CHECK constraints.
            pub const VALUES: &'static [&'static str] = &[$($value),+];

            /// The database value, which is also the GraphQL name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// What kind of body an agency is.
    AgencyKind {
        PartyCentral = "PARTY_CENTRAL",
        PartyCommission = "PARTY_COMMISSION",
        PartyCommittee = "PARTY_COMMITTEE",
        SteeringCommittee = "STEERING_COMMITTEE",
        Government = "GOVERNMENT",
        PrimeMinister = "PRIME_MINISTER",
        Ministry = "MINISTRY",
        GovernmentAgency = "GOVERNMENT_AGENCY",
        PeoplesCommittee = "PEOPLES_COMMITTEE",
        Department = "DEPARTMENT",
        ArmedForces = "ARMED_FORCES",
        OverseasMission = "OVERSEAS_MISSION",
        Other = "OTHER",
    }
);

text_enum!(
    /// The tier of the state or Party apparatus an agency belongs to.
    AgencyLevel {
        Central = "CENTRAL",
        Provincial = "PROVINCIAL",
        District = "DISTRICT",
        Commune = "COMMUNE",
        Overseas = "OVERSEAS",
    }
);

text_enum!(
    /// Party documents follow Guideline 36-HD/VPTW, State documents Decree 30/2020/NĐ-CP.
    DocumentSystem {
        Party = "PARTY",
        State = "STATE",
    }
);

text_enum!(
    DocumentKind {
        Conclusion = "CONCLUSION",
        Resolution = "RESOLUTION",
        Directive = "DIRECTIVE",
        Program = "PROGRAM",
        Plan = "PLAN",
        Decision = "DECISION",
        Scheme = "SCHEME",
        Guidance = "GUIDANCE",
        OfficialLetter = "OFFICIAL_LETTER",
        Decree = "DECREE",
        Circular = "CIRCULAR",
        Notice = "NOTICE",
        Report = "REPORT",
        Other = "OTHER",
    }
);

text_enum!(
    DocumentStatus {
        InForce = "IN_FORCE",
        Amended = "AMENDED",
        Replaced = "REPLACED",
        Expired = "EXPIRED",
        Repealed = "REPEALED",
    }
);

text_enum!(
    /// How one document relates to another (`from` KIND `to`), after ELI's relations.
    RelationKind {
        Implements = "IMPLEMENTS",
        BasedOn = "BASED_ON",
        Guides = "GUIDES",
        Amends = "AMENDS",
        Replaces = "REPLACES",
        Repeals = "REPEALS",
    }
);

text_enum!(
    /// Which of the deadline columns of a task holds its deadline.
    DeadlineKind {
        /// A regular task (thường xuyên): no deadline.
        None = "NONE",
        Date = "DATE",
        Year = "YEAR",
        Recurring = "RECURRING",
    }
);

text_enum!(
    Recurrence {
        Monthly = "MONTHLY",
        Quarterly = "QUARTERLY",
        Semiannual = "SEMIANNUAL",
        Yearly = "YEARLY",
    }
);

text_enum!(
    ProgressState {
        NotStarted = "NOT_STARTED",
        InProgress = "IN_PROGRESS",
        Completed = "COMPLETED",
        Cancelled = "CANCELLED",
    }
);

text_enum!(
    /// Presiding (chủ trì) or coordinating (phối hợp).
    AssignmentRole {
        Presiding = "PRESIDING",
        Coordinating = "COORDINATING",
    }
);

text_enum!(
    PeriodKind {
        Monthly = "MONTHLY",
        Quarterly = "QUARTERLY",
        Semiannual = "SEMIANNUAL",
        Annual = "ANNUAL",
        AdHoc = "AD_HOC",
    }
);

text_enum!(
    /// How the apparatus changed.
    AgencyEventKind {
        /// New agencies come into being (the successors).
        Establish = "ESTABLISH",
        /// One agency takes a new name; it stays the same agency.
        Rename = "RENAME",
        /// The predecessors become one successor (which may be one of them).
        Merge = "MERGE",
        /// One predecessor becomes several successors.
        Split = "SPLIT",
        /// The predecessors end; a successor, if named, takes over their tasks.
        Dissolve = "DISSOLVE",
        /// A function, with its tasks, moves from one agency to another; both go on.
        TransferFunction = "TRANSFER_FUNCTION",
    }
);

text_enum!(
    /// An agency's side in a change.
    EventSide {
        Predecessor = "PREDECESSOR",
        Successor = "SUCCESSOR",
    }
);
