//! Agencies change: events (establish, rename, merge, split, dissolve, transfer of function) with
//! their predecessors and successors, the names an agency had, and assignments made by succession.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AgencyEvent {
    Table,
    Id,
    Kind,
    EffectiveOn,
    LegalBasisId,
    Function,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AgencyEventParty {
    Table,
    Id,
    EventId,
    AgencyId,
    Side,
}

#[derive(DeriveIden, Clone, Copy)]
enum AgencyName {
    Table,
    Id,
    AgencyId,
    Name,
    NameI18n,
    ValidUntil,
    EventId,
}

#[derive(DeriveIden, Clone, Copy)]
enum TaskAssignment {
    Table,
    EventId,
}

const KINDS: [&str; 6] = ["ESTABLISH", "RENAME", "MERGE", "SPLIT", "DISSOLVE", "TRANSFER_FUNCTION"];

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(Alias::new(to), Alias::new("id")).on_delete(on_delete).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AgencyEvent::Table)
                    .col(ColumnDef::new(AgencyEvent::Id).uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new(AgencyEvent::Kind)
                            .text()
                            .not_null()
                            .check(Expr::col(AgencyEvent::Kind).is_in(KINDS)),
                    )
                    .col(ColumnDef::new(AgencyEvent::EffectiveOn).date().not_null())
                    .col(ColumnDef::new(AgencyEvent::LegalBasisId).uuid().null())
                    .col(ColumnDef::new(AgencyEvent::Function).text().null())
                    .col(ColumnDef::new(AgencyEvent::Version).integer().not_null().default(1))
                    .col(ColumnDef::new(AgencyEvent::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AgencyEvent::UpdatedAt).timestamp_with_time_zone().not_null())
                    // The event stays if its legal basis is deleted.
                    .foreign_key(&mut fk(
                        (AgencyEvent::Table, AgencyEvent::LegalBasisId),
                        "document",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgencyEventParty::Table)
                    .col(ColumnDef::new(AgencyEventParty::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(AgencyEventParty::EventId).uuid().not_null())
                    .col(ColumnDef::new(AgencyEventParty::AgencyId).uuid().not_null())
                    .col(
                        ColumnDef::new(AgencyEventParty::Side)
                            .text()
                            .not_null()
                            .check(Expr::col(AgencyEventParty::Side).is_in(["PREDECESSOR", "SUCCESSOR"])),
                    )
                    .foreign_key(&mut fk(
                        (AgencyEventParty::Table, AgencyEventParty::EventId),
                        "agency_event",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (AgencyEventParty::Table, AgencyEventParty::AgencyId),
                        "agency",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_agency_event_party")
                    .table(AgencyEventParty::Table)
                    .col(AgencyEventParty::EventId)
                    .col(AgencyEventParty::AgencyId)
                    .col(AgencyEventParty::Side)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_agency_event_party_agency")
                    .table(AgencyEventParty::Table)
                    .col(AgencyEventParty::AgencyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgencyName::Table)
                    .col(ColumnDef::new(AgencyName::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(AgencyName::AgencyId).uuid().not_null())
                    .col(ColumnDef::new(AgencyName::Name).text().not_null())
                    .col(ColumnDef::new(AgencyName::NameI18n).json_binary().not_null())
                    .col(ColumnDef::new(AgencyName::ValidUntil).date().not_null())
                    .col(ColumnDef::new(AgencyName::EventId).uuid().null())
                    .foreign_key(&mut fk(
                        (AgencyName::Table, AgencyName::AgencyId),
                        "agency",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (AgencyName::Table, AgencyName::EventId),
                        "agency_event",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_agency_name_agency")
                    .table(AgencyName::Table)
                    .col(AgencyName::AgencyId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(TaskAssignment::Table)
                    .add_column(ColumnDef::new(TaskAssignment::EventId).uuid().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(TaskAssignment::Table).drop_column(TaskAssignment::EventId).to_owned())
            .await?;
        for table in
            [AgencyName::Table.into_iden(), AgencyEventParty::Table.into_iden(), AgencyEvent::Table.into_iden()]
        {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
