//! The directive graph: agencies, documents and their links, task groups, tasks,
//! assignments and progress reports.

use entity::sea_orm_active_enums::{
    AgencyKind, AgencyLevel, AssignmentRole, DeadlineKind, DocumentKind, DocumentStatus, DocumentSystem, PeriodKind,
    ProgressState, Recurrence, RelationKind,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ActiveEnum;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Agency {
    Table,
    Id,
    Code,
    Name,
    NameI18n,
    Kind,
    Level,
    ParentId,
    ValidFrom,
    ValidTo,
}

#[derive(DeriveIden, Clone, Copy)]
enum Document {
    Table,
    Symbol,
    SymbolNumber,
    SymbolYear,
    SymbolTypeCode,
    SymbolIssuerCode,
    SymbolUnit,
    System,
    Kind,
    IssuerId,
    IssuedOn,
    IssuedYear,
    Title,
    TitleI18n,
    Summary,
    SummaryI18n,
    HorizonYear,
    Status,
    SourceUrl,
}

#[derive(DeriveIden, Clone, Copy)]
enum DocumentRelation {
    Table,
    FromId,
    ToId,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TaskGroup {
    Table,
    DocumentId,
    Code,
    Title,
    TitleI18n,
}

#[derive(DeriveIden, Clone, Copy)]
enum Task {
    Table,
    Id,
    DocumentId,
    GroupId,
    ParentId,
    Code,
    Title,
    TitleI18n,
    Content,
    ContentI18n,
    ExpectedOutput,
    DeadlineKind,
    DeadlineDate,
    DeadlineYear,
    DeadlineRecurrence,
    ProgressState,
    CompletedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum TaskAssignment {
    Table,
    TaskId,
    AgencyId,
    Role,
    AssignedOn,
    EndedOn,
    Reason,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProgressReport {
    Table,
    TaskId,
    AgencyId,
    PeriodKind,
    PeriodStart,
    PeriodEnd,
    PercentComplete,
    Narrative,
}

#[derive(DeriveIden, Clone, Copy)]
enum Versioned {
    Version,
    CreatedAt,
    UpdatedAt,
}

fn id() -> ColumnDef {
    ColumnDef::new("id").uuid().not_null().primary_key().take()
}

fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().take()
}

fn text_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().null().take()
}

fn uuid(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().take()
}

fn uuid_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().null().take()
}

fn date(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).date().not_null().take()
}

fn date_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).date().null().take()
}

fn int_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().null().take()
}

fn translations(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).json_binary().not_null().take()
}

/// A text column that only holds the values of one enum.
fn one_of(col: impl IntoIden + Clone, values: &[&str], nullable: bool) -> ColumnDef {
    let mut def = ColumnDef::new(col.clone()).text().take();
    let check = Expr::col(col).is_in(values.iter().copied());
    if nullable {
        def.null().check(check);
    } else {
        def.not_null().check(check);
    }
    def
}

/// Adds the optimistic-concurrency version and the timestamps every entity carries.
fn versioned(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(ColumnDef::new(Versioned::Version).integer().not_null().default(1))
        .col(ColumnDef::new(Versioned::CreatedAt).timestamp_with_time_zone().not_null())
        .col(ColumnDef::new(Versioned::UpdatedAt).timestamp_with_time_zone().not_null())
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::NoAction)
        .take()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create().name(name).table(table).take();
    for col in cols {
        idx.col(Alias::new(*col));
    }
    idx
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table(Agency::Table)
                        .col(id())
                        .col(text(Agency::Code).unique_key().take())
                        .col(text(Agency::Name))
                        .col(translations(Agency::NameI18n))
                        .col(one_of(Agency::Kind, AgencyKind::VALUES, false))
                        .col(one_of(Agency::Level, AgencyLevel::VALUES, false))
                        .col(uuid_null(Agency::ParentId))
                        .col(date_null(Agency::ValidFrom))
                        .col(date_null(Agency::ValidTo))
                        .foreign_key(&mut fk(
                            Agency::Table,
                            Agency::ParentId,
                            Agency::Table,
                            ForeignKeyAction::Restrict,
                        ))
                        .check(Expr::col(Agency::ParentId).ne(Expr::col(Agency::Id)))
                        .check(Expr::col(Agency::Code).ne("")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_agency_parent", Agency::Table, &["parent_id"])).await?;
        manager.create_index(index("idx_agency_kind_level", Agency::Table, &["kind", "level"])).await?;

        manager
            .create_table(
                versioned(
                    Table::create()
                        .table(Document::Table)
                        .col(id())
                        .col(text(Document::Symbol))
                        .col(text(Document::SymbolNumber))
                        .col(int_null(Document::SymbolYear))
                        .col(text_null(Document::SymbolTypeCode))
                        .col(text(Document::SymbolIssuerCode))
                        .col(text_null(Document::SymbolUnit))
                        .col(one_of(Document::System, DocumentSystem::VALUES, false))
                        .col(one_of(Document::Kind, DocumentKind::VALUES, false))
                        .col(uuid(Document::IssuerId))
                        .col(date(Document::IssuedOn))
                        .col(ColumnDef::new(Document::IssuedYear).integer().not_null())
                        .col(text(Document::Title))
                        .col(translations(Document::TitleI18n))
                        .col(text_null(Document::Summary))
                        .col(translations(Document::SummaryI18n))
                        .col(int_null(Document::HorizonYear))
                        .col(one_of(Document::Status, DocumentStatus::VALUES, false))
                        .col(text_null(Document::SourceUrl))
                        .foreign_key(&mut fk(
                            Document::Table,
                            Document::IssuerId,
                            Agency::Table,
                            ForeignKeyAction::Restrict,
                        ))
                        .check(Expr::col(Document::Title).ne("")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_document_issuer_symbol_year", Document::Table, &["issuer_id", "symbol", "issued_year"])
                    .unique()
                    .take(),
            )
            .await?;
        manager.create_index(index("idx_document_symbol", Document::Table, &["symbol"])).await?;
        manager.create_index(index("idx_document_issued_on", Document::Table, &["issued_on"])).await?;
        manager.create_index(index("idx_document_kind", Document::Table, &["kind"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentRelation::Table)
                    .col(id())
                    .col(uuid(DocumentRelation::FromId))
                    .col(uuid(DocumentRelation::ToId))
                    .col(one_of(DocumentRelation::Kind, RelationKind::VALUES, false))
                    .col(ColumnDef::new(DocumentRelation::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut fk(
                        DocumentRelation::Table,
                        DocumentRelation::FromId,
                        Document::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        DocumentRelation::Table,
                        DocumentRelation::ToId,
                        Document::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .check(Expr::col(DocumentRelation::FromId).ne(Expr::col(DocumentRelation::ToId)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_document_relation", DocumentRelation::Table, &["from_id", "to_id", "kind"]).unique().take(),
            )
            .await?;
        manager.create_index(index("idx_document_relation_to", DocumentRelation::Table, &["to_id", "kind"])).await?;

        manager
            .create_table(
                versioned(
                    Table::create()
                        .table(TaskGroup::Table)
                        .col(id())
                        .col(uuid(TaskGroup::DocumentId))
                        .col(text(TaskGroup::Code))
                        .col(text(TaskGroup::Title))
                        .col(translations(TaskGroup::TitleI18n))
                        .foreign_key(&mut fk(
                            TaskGroup::Table,
                            TaskGroup::DocumentId,
                            Document::Table,
                            ForeignKeyAction::Cascade,
                        )),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index("uq_task_group_code", TaskGroup::Table, &["document_id", "code"]).unique().take())
            .await?;

        let completed = ProgressState::Completed.to_value();
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table(Task::Table)
                        .col(id())
                        .col(uuid(Task::DocumentId))
                        .col(uuid_null(Task::GroupId))
                        .col(uuid_null(Task::ParentId))
                        .col(text(Task::Code))
                        .col(text_null(Task::Title))
                        .col(translations(Task::TitleI18n))
                        .col(text(Task::Content))
                        .col(translations(Task::ContentI18n))
                        .col(text_null(Task::ExpectedOutput))
                        .col(one_of(Task::DeadlineKind, DeadlineKind::VALUES, false))
                        .col(date_null(Task::DeadlineDate))
                        .col(int_null(Task::DeadlineYear))
                        .col(one_of(Task::DeadlineRecurrence, Recurrence::VALUES, true))
                        .col(one_of(Task::ProgressState, ProgressState::VALUES, false))
                        .col(date_null(Task::CompletedOn))
                        .foreign_key(&mut fk(Task::Table, Task::DocumentId, Document::Table, ForeignKeyAction::Cascade))
                        .foreign_key(&mut fk(Task::Table, Task::GroupId, TaskGroup::Table, ForeignKeyAction::SetNull))
                        .foreign_key(&mut fk(Task::Table, Task::ParentId, Task::Table, ForeignKeyAction::Cascade))
                        .check(Expr::col(Task::Content).ne(""))
                        .check(Expr::col(Task::ParentId).ne(Expr::col(Task::Id)))
                        // Exactly the column that the deadline kind names is filled in.
                        .check(
                            Expr::col(Task::DeadlineDate)
                                .is_not_null()
                                .eq(Expr::col(Task::DeadlineKind).eq(DeadlineKind::Date.to_value())),
                        )
                        .check(
                            Expr::col(Task::DeadlineYear)
                                .is_not_null()
                                .eq(Expr::col(Task::DeadlineKind).eq(DeadlineKind::Year.to_value())),
                        )
                        .check(
                            Expr::col(Task::DeadlineRecurrence)
                                .is_not_null()
                                .eq(Expr::col(Task::DeadlineKind).eq(DeadlineKind::Recurring.to_value())),
                        )
                        // A completion date exactly when the task is completed.
                        .check(
                            Expr::col(Task::CompletedOn).is_not_null().eq(Expr::col(Task::ProgressState).eq(completed)),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("uq_task_code", Task::Table, &["document_id", "code"]).unique().take()).await?;
        manager.create_index(index("idx_task_group", Task::Table, &["group_id"])).await?;
        manager.create_index(index("idx_task_parent", Task::Table, &["parent_id"])).await?;
        manager.create_index(index("idx_task_progress", Task::Table, &["progress_state"])).await?;
        manager.create_index(index("idx_task_deadline", Task::Table, &["deadline_date"])).await?;

        let presiding = AssignmentRole::Presiding.to_value();
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table(TaskAssignment::Table)
                        .col(id())
                        .col(uuid(TaskAssignment::TaskId))
                        .col(uuid(TaskAssignment::AgencyId))
                        .col(one_of(TaskAssignment::Role, AssignmentRole::VALUES, false))
                        .col(date(TaskAssignment::AssignedOn))
                        .col(date_null(TaskAssignment::EndedOn))
                        .col(text_null(TaskAssignment::Reason))
                        .foreign_key(&mut fk(
                            TaskAssignment::Table,
                            TaskAssignment::TaskId,
                            Task::Table,
                            ForeignKeyAction::Cascade,
                        ))
                        .foreign_key(&mut fk(
                            TaskAssignment::Table,
                            TaskAssignment::AgencyId,
                            Agency::Table,
                            ForeignKeyAction::Restrict,
                        ))
                        .check(
                            Expr::col(TaskAssignment::EndedOn)
                                .is_null()
                                .or(Expr::col(TaskAssignment::EndedOn).gte(Expr::col(TaskAssignment::AssignedOn))),
                        ),
                )
                .to_owned(),
            )
            .await?;
        // One presiding agency at a time, and an agency holds at most one current role on a task.
        manager
            .create_index(
                index("uq_task_assignment_presiding", TaskAssignment::Table, &["task_id"])
                    .unique()
                    .and_where(Expr::col(TaskAssignment::Role).eq(presiding))
                    .and_where(Expr::col(TaskAssignment::EndedOn).is_null())
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("uq_task_assignment_current", TaskAssignment::Table, &["task_id", "agency_id"])
                    .unique()
                    .and_where(Expr::col(TaskAssignment::EndedOn).is_null())
                    .take(),
            )
            .await?;
        manager
            .create_index(index("idx_task_assignment_agency", TaskAssignment::Table, &["agency_id", "role"]))
            .await?;

        manager
            .create_table(
                versioned(
                    Table::create()
                        .table(ProgressReport::Table)
                        .col(id())
                        .col(uuid(ProgressReport::TaskId))
                        .col(uuid(ProgressReport::AgencyId))
                        .col(one_of(ProgressReport::PeriodKind, PeriodKind::VALUES, false))
                        .col(date(ProgressReport::PeriodStart))
                        .col(date(ProgressReport::PeriodEnd))
                        .col(
                            ColumnDef::new(ProgressReport::PercentComplete)
                                .integer()
                                .not_null()
                                .check(Expr::col(ProgressReport::PercentComplete).between(0, 100))
                                .take(),
                        )
                        .col(text(ProgressReport::Narrative))
                        .foreign_key(&mut fk(
                            ProgressReport::Table,
                            ProgressReport::TaskId,
                            Task::Table,
                            ForeignKeyAction::Cascade,
                        ))
                        .foreign_key(&mut fk(
                            ProgressReport::Table,
                            ProgressReport::AgencyId,
                            Agency::Table,
                            ForeignKeyAction::Restrict,
                        ))
                        .check(Expr::col(ProgressReport::PeriodStart).lte(Expr::col(ProgressReport::PeriodEnd))),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_progress_report_task", ProgressReport::Table, &["task_id", "period_end"]))
            .await?;
        manager.create_index(index("idx_progress_report_agency", ProgressReport::Table, &["agency_id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            ["progress_report", "task_assignment", "task", "task_group", "document_relation", "document", "agency"]
        {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
