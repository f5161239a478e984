//! Plans in and reports out over GraphQL: `importTasks` takes a plan's task list as a multipart
//! upload; `Document.export` and `Document.diagram` give the cascade as a file and as a picture.

use std::io::Read;
use std::sync::Arc;

use async_graphql::{Context, Enum, ErrorExtensions, ID, InputObject, Object, SimpleObject, Upload};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

use super::context::request;
use super::loaders::CascadeOf;
use super::mutation::may_edit;
use super::scalars::Date;
use super::types::rollup::as_of;
use super::types::{Agency, Deadline, Task};
use crate::error::{Error, Result};
use crate::exchange::FileFormat;
use crate::exchange::cascade::Cascade;
use crate::exchange::import::{Outcome, PlannedTask, import_tasks};
use crate::exchange::sheet::Problem;
use crate::ids::DocumentId;
use crate::store::Subject;

/// How many problems the message of a refusal spells out; `extensions.problems` has them all.
const PROBLEMS_IN_MESSAGE: usize = 5;

/// How deep a cascade is followed by default, and at most.
pub const MAX_DEPTH: i32 = 20;

#[derive(InputObject)]
pub struct ImportTasksInput {
    /// The document whose tasks the file lists.
    pub document_id: ID,
    /// The file, sent as a multipart request (the GraphQL multipart request specification): XLSX,
    /// CSV (UTF-8) or JSON, told apart by the file's name or else its content.
    pub file: Upload,
    /// Check the file and report what it would create, writing nothing.
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct ImportTasksPayload {
    /// Nothing was written: the file was only checked.
    pub dry_run: bool,
    pub format: FileFormat,
    /// The tasks of the file, as they were created (or, in a dry run, would be).
    pub rows: Vec<ImportedRow>,
    /// Codes of the task groups created for groups the document did not have yet.
    pub created_task_groups: Vec<String>,
    /// The tasks created; none in a dry run.
    pub tasks: Vec<Task>,
}

/// A row of an imported file and the task it makes.
pub struct ImportedRow(PlannedTask);

#[Object]
impl ImportedRow {
    /// The row of the file (the spreadsheet row, or the position in a JSON list from 1).
    async fn row(&self) -> usize {
        self.0.row
    }

    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn group(&self) -> Option<&str> {
        self.0.group.as_deref()
    }

    async fn content(&self) -> &str {
        &self.0.content
    }

    async fn lead(&self) -> Agency {
        Agency(self.0.lead.clone())
    }

    async fn coordinators(&self) -> Vec<Agency> {
        self.0.coordinators.iter().cloned().map(Agency).collect()
    }

    async fn deadline(&self) -> Deadline {
        self.0.deadline.into()
    }

    async fn expected_output(&self) -> Option<&str> {
        self.0.expected_output.as_deref()
    }
}

/// The refusal of a file: BAD_USER_INPUT on `file`, every problem in `extensions.problems`.
fn refused(problems: &[Problem]) -> async_graphql::Error {
    let listed: Vec<String> = problems.iter().take(PROBLEMS_IN_MESSAGE).map(Problem::to_string).collect();
    let more = match problems.len().saturating_sub(PROBLEMS_IN_MESSAGE) {
        0 => String::new(),
        n => format!("; and {n} more (extensions.problems lists them all)"),
    };
    let message = format!(
        "the file was refused and nothing was imported: {} problem{}: {}{more}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        listed.join("; ")
    );
    let listed = serde_json::to_value(problems).ok().and_then(|v| async_graphql::Value::from_json(v).ok());
    async_graphql::Error::from(Error::bad_field("file", message)).extend_with(|_, ext| {
        if let Some(listed) = listed {
            ext.set("problems", listed);
        }
    })
}

#[derive(Default)]
pub struct ExchangeMutation;

#[Object]
impl ExchangeMutation {
    /// Adds the tasks a file lists to a document, all or nothing: a file with any problem (an
    /// unknown agency, a name that fits several agencies, an unreadable date, a duplicate code…)
    /// is refused with BAD_USER_INPUT and every problem, by row and column, in
    /// `extensions.problems`. Columns (Vietnamese or English headers): code, content, lead
    /// (presiding agency: a code or a name that matches exactly one agency), coordinators, deadline
    /// (15/6/2026, 15-6-2026, ngày 15 tháng 6 năm 2026, a date cell, a year, thường xuyên, hằng năm…),
    /// group, group title, title, expected output, assigned on. Needs the right to edit the document.
    async fn import_tasks(
        &self,
        ctx: &Context<'_>,
        input: ImportTasksInput,
    ) -> async_graphql::Result<ImportTasksPayload> {
        let rc = request(ctx);
        let document = DocumentId::from_global(&input.document_id, "documentId")?;
        let upload = input
            .file
            .value(ctx)
            .map_err(|_| Error::bad_field("file", "the uploaded file cannot be read: send it as a multipart upload"))?;
        let name = upload.filename.clone();
        let mut bytes = Vec::new();
        upload
            .into_read()
            .read_to_end(&mut bytes)
            .map_err(|_| Error::bad_field("file", "the uploaded file cannot be read"))?;
        let format = FileFormat::detect(Some(&name), &bytes);
        let tx = rc.store.begin(rc.audit("importTasks")).await?;
        may_edit(rc, &tx, Subject::Document(document.0)).await?;
        match import_tasks(&tx, document, format, &bytes, input.dry_run).await? {
            Outcome::Refused(problems) => Err(refused(&problems)),
            Outcome::Accepted { plan, created } => {
                // A dry run's transaction wrote nothing; it ends here, rolled back.
                if !input.dry_run {
                    tx.commit().await?;
                }
                Ok(ImportTasksPayload {
                    dry_run: input.dry_run,
                    format,
                    created_task_groups: plan.new_groups.into_iter().map(|(code, _)| code).collect(),
                    rows: plan.tasks.into_iter().map(ImportedRow).collect(),
                    tasks: created.into_iter().map(Task).collect(),
                })
            }
        }
    }
}

/// A file made by the service.
#[derive(SimpleObject)]
pub struct ExportFile {
    /// A name to save it under, e.g. `57-KL-TW-2026-11-22.xlsx`.
    pub file_name: String,
    pub content_type: String,
    /// Bytes.
    pub size: usize,
    /// The file, base64-encoded.
    pub base64: String,
}

/// The languages `Document.diagram` draws in.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiagramFormat {
    /// Mermaid flowchart source (mermaid.js draws it; the service's `/cascade/{id}` page does).
    #[default]
    Mermaid,
}

fn depth(value: Option<i32>) -> Result<i32> {
    match value {
        None => Ok(MAX_DEPTH),
        Some(n) if (0..=MAX_DEPTH).contains(&n) => Ok(n),
        Some(n) => Err(Error::bad_field("maxDepth", format!("maxDepth is {n}; it must be between 0 and {MAX_DEPTH}"))),
    }
}

/// The cascade below `document`, through the request's loader: the cascades of many documents
/// asked for in one request are read together.
async fn cascade(ctx: &Context<'_>, document: Uuid, day: Option<Date>, max_depth: Option<i32>) -> Result<Arc<Cascade>> {
    let key = CascadeOf { root: document, as_of: as_of(day).day, max_depth: depth(max_depth)? };
    request(ctx).load_ref(key).await
}

pub async fn export(
    ctx: &Context<'_>,
    document: Uuid,
    format: FileFormat,
    day: Option<Date>,
    max_depth: Option<i32>,
) -> Result<ExportFile> {
    let cascade = cascade(ctx, document, day, max_depth).await?;
    let bytes = cascade.write(format)?;
    Ok(ExportFile {
        file_name: file_name(&cascade, format),
        content_type: format.content_type().to_owned(),
        size: bytes.len(),
        base64: STANDARD.encode(&bytes),
    })
}

/// `57-KL-TW-2026-11-22.xlsx`: the root's symbol and the day, safe in any file system.
pub fn file_name(cascade: &Cascade, format: FileFormat) -> String {
    let symbol: String = cascade.root().symbol.chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    format!("{symbol}-{}.{}", cascade.as_of, format.extension())
}

pub async fn diagram(
    ctx: &Context<'_>,
    document: Uuid,
    max_depth: Option<i32>,
    day: Option<Date>,
    lang: Option<String>,
) -> Result<String> {
    let cascade = cascade(ctx, document, day, max_depth).await?;
    let lang = lang.or_else(|| request(ctx).languages.first().cloned());
    Ok(cascade.mermaid(lang.as_deref()))
}
