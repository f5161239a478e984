use async_graphql::Object;
use entity::sea_orm_active_enums::DocumentSystem;

use crate::domain::kind::system_of;
use crate::domain::symbol::DocumentSymbol;

/// A document's number and symbol (số, ký hiệu), parsed into its parts.
pub struct DocumentSymbolType(pub DocumentSymbol);

#[Object(name = "DocumentSymbol")]
impl DocumentSymbolType {
    /// The canonical form, e.g. `837/QĐ-TTg`.
    async fn normalized(&self) -> &str {
        self.0.normalized()
    }

    /// PARTY (`57-KL/TW`) or STATE (`139/KH-UBND`): told apart by the first separator.
    async fn system(&self) -> DocumentSystem {
        system_of(&self.0)
    }

    /// The number as written, leading zeros kept (`02` in `02-KH/BCĐTW`).
    async fn number(&self) -> &str {
        self.0.number()
    }

    /// The year of a legal normative document (`2020` in `30/2020/NĐ-CP`).
    async fn year(&self) -> Option<i32> {
        self.0.year()
    }

    /// The document type (`KL`, `QĐ`, `CTr`); none for official letters and National Assembly resolutions.
    async fn type_code(&self) -> Option<&str> {
        self.0.type_code()
    }

    /// The issuing body's code (`TW`, `TTg`, `UBND`).
    async fn issuer_code(&self) -> &str {
        self.0.issuer_code()
    }

    /// The drafting unit, when given (`NC` in `2802/UBND-NC`).
    async fn unit(&self) -> Option<&str> {
        self.0.unit()
    }
}
