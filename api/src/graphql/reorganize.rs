//! Recording a reorganisation of agencies, and reading it back.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::sea_orm_active_enums::{AgencyEventKind, EventSide};
use entity::{agency, agency_event, agency_name};

use super::context::{authorized, request};
use super::mutation::{Idempotency, write};
use super::scalars::Date;
use super::types::{Agency, Document, Task};
use crate::domain::policy::Action;
use crate::domain::text;
use crate::error::Result;
use crate::graphql::loaders::{NamesOf, PartiesOf};
use crate::ids::{AgencyId, DocumentId};
use crate::store::{Reorganisation, Reorganised};

/// Which tasks a transfer of function moves.
#[derive(InputObject, Default)]
pub struct ReorganizeTaskFilter {
    /// Only the tasks of this document.
    pub document_id: Option<ID>,
}

#[derive(InputObject)]
pub struct ReorganizeAgenciesInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub kind: AgencyEventKind,
    /// The first day of the new order: predecessors end the day before, successors take their
    /// open tasks from this day.
    pub effective_on: Date,
    /// The document that decided the change (a decree, a resolution, a decision).
    pub legal_basis_id: ID,
    #[graphql(default)]
    pub from_codes: Vec<String>,
    #[graphql(default)]
    pub to_codes: Vec<String>,
    /// TRANSFER_FUNCTION: the function that moves.
    pub function: Option<String>,
    /// RENAME: the agency's new name.
    pub new_name: Option<String>,
    pub new_name_en: Option<String>,
    /// TRANSFER_FUNCTION: which tasks move with the function; all open tasks when not given.
    pub task_filter: Option<ReorganizeTaskFilter>,
    /// Answer what would happen, and change nothing.
    #[graphql(default)]
    pub dry_run: bool,
}

/// A change of agencies: its kind, day, legal basis, predecessors and successors.
pub struct AgencyChangeEvent {
    pub model: agency_event::Model,
    /// Known up front for an event just recorded (or only tried, in a dry run).
    pub parties: Option<Vec<(agency::Model, EventSide)>>,
}

impl AgencyChangeEvent {
    async fn side(&self, ctx: &Context<'_>, side: EventSide) -> Result<Vec<Agency>> {
        if let Some(parties) = &self.parties {
            return Ok(parties.iter().filter(|(_, s)| *s == side).map(|(a, _)| Agency(a.clone())).collect());
        }
        let rc = request(ctx);
        let parties = rc.load_ref(PartiesOf(self.model.id)).await?;
        let ids = parties.iter().filter(|(_, s)| *s == side).map(|(a, _)| AgencyId(*a));
        let found = rc.loader.load_many(ids.clone()).await?;
        Ok(ids.filter_map(|id| found.get(&id).cloned().map(Agency)).collect())
    }
}

#[Object]
impl AgencyChangeEvent {
    async fn id(&self) -> ID {
        self.model.id.to_string().into()
    }

    async fn kind(&self) -> AgencyEventKind {
        self.model.kind
    }

    async fn effective_on(&self) -> Date {
        Date(self.model.effective_on)
    }

    async fn legal_basis(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        match self.model.legal_basis_id {
            Some(id) => Ok(request(ctx).load(DocumentId(id)).await?.map(Document)),
            None => Ok(None),
        }
    }

    /// For a transfer of function: what moved.
    async fn function(&self) -> Option<&str> {
        self.model.function.as_deref()
    }

    async fn predecessors(&self, ctx: &Context<'_>) -> Result<Vec<Agency>> {
        self.side(ctx, EventSide::Predecessor).await
    }

    async fn successors(&self, ctx: &Context<'_>) -> Result<Vec<Agency>> {
        self.side(ctx, EventSide::Successor).await
    }
}

/// A name an agency bore, until a rename.
pub struct AgencyNameRecord(pub agency_name::Model);

#[Object]
impl AgencyNameRecord {
    async fn name(&self, ctx: &Context<'_>, lang: Option<String>) -> &str {
        request(ctx).localized(&self.0.name, &self.0.name_i18n, lang.as_deref())
    }

    /// The first day the agency no longer bore this name.
    async fn valid_until(&self) -> Date {
        Date(self.0.valid_until)
    }
}

/// The names an agency bore before its current one, oldest first.
pub async fn name_history(ctx: &Context<'_>, agency: AgencyId) -> Result<Vec<AgencyNameRecord>> {
    Ok(request(ctx).load_ref(NamesOf(agency)).await?.into_iter().map(AgencyNameRecord).collect())
}

#[derive(SimpleObject)]
pub struct ReorganizeAgenciesPayload {
    pub event: AgencyChangeEvent,
    /// Tasks whose agencies changed; completed and cancelled tasks never do.
    pub reassigned_tasks: Vec<Task>,
}

#[derive(Default)]
pub struct ReorganizeMutation;

#[Object]
impl ReorganizeMutation {
    /// Records one reorganisation in one transaction: it ends the predecessors (MERGE, SPLIT,
    /// DISSOLVE; a successor among them goes on), and for every open task of an ended predecessor
    /// (or, for TRANSFER_FUNCTION, of the agency giving up the function, narrowed by `taskFilter`)
    /// ends the assignment the day before `effectiveOn` and gives the same role to the successor
    /// (the first, for a SPLIT), with reason SUCCESSION. Completed and cancelled tasks keep their
    /// agencies, documents their issuers. ADMIN only. With `dryRun`, changes nothing.
    async fn reorganize_agencies(
        &self,
        ctx: &Context<'_>,
        input: ReorganizeAgenciesInput,
    ) -> Result<ReorganizeAgenciesPayload> {
        let rc = authorized(ctx, Action::ManageAgencies)?;
        let codes = |codes: &[String], field: &str| -> Result<Vec<String>> {
            codes.iter().map(|c| text::agency_code(field, c)).collect()
        };
        let new_name = match &input.new_name {
            Some(name) => {
                Some((text::required("newName", name)?, text::optional("newNameEn", input.new_name_en.as_deref())?))
            }
            None => None,
        };
        let r = Reorganisation {
            kind: input.kind,
            effective_on: input.effective_on.0,
            legal_basis: DocumentId::from_global(&input.legal_basis_id, "legalBasisId")?,
            from_codes: codes(&input.from_codes, "fromCodes")?,
            to_codes: codes(&input.to_codes, "toCodes")?,
            function: text::optional("function", input.function.as_deref())?,
            new_name,
            task_document: input
                .task_filter
                .and_then(|f| f.document_id)
                .map(|id| DocumentId::from_global(&id, "taskFilter.documentId"))
                .transpose()?,
        };
        let done: Reorganised = if input.dry_run {
            // The same work in a transaction that is never committed.
            let tx = rc.store.begin(rc.audit("reorganizeAgencies")).await?;
            tx.reorganize(r).await?
        } else {
            write(ctx, async |tx| tx.reorganize(r.clone()).await).await?
        };
        let parties = done.parties.clone();
        Ok(ReorganizeAgenciesPayload {
            event: AgencyChangeEvent { model: done.event, parties: Some(parties) },
            reassigned_tasks: done.tasks.into_iter().map(Task).collect(),
        })
    }
}
