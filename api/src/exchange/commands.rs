//! `directives import` and `directives export`, as an operator runs them against the database.
//! Imports are recorded in the audit trail and the change feed like any other write, under the
//! operator's name `system`.

use std::path::Path;

use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use entity::document;

use super::FileFormat;
use super::cascade::Cascade;
use super::import::{Outcome, import_tasks};
use crate::app::operator_error;
use crate::domain::dates::parse_day;
use crate::domain::symbol::DocumentSymbol;
use crate::ids::{DocumentId, GlobalId, NodeType};
use crate::seed;
use crate::store::{AuditContext, DocumentQuery, PageRequest, Store};

/// The document an operator names: by its ID, or by its symbol when one document alone has it.
pub async fn find_document(store: &Store, reference: &str) -> anyhow::Result<document::Model> {
    if let Ok(id) = GlobalId::decode(reference)
        && id.node_type == NodeType::Document
    {
        let found = store.documents_by_ids(&[id.uuid]).await.map_err(operator_error)?;
        return found.into_iter().next().with_context(|| format!("no document has the ID {reference}"));
    }
    let symbol = DocumentSymbol::parse(reference)
        .map_err(|e| anyhow::anyhow!("{reference} is neither a document ID nor a symbol: {}", e.message()))?;
    let query = DocumentQuery { symbol: Some(symbol.normalized().to_owned()), ..Default::default() };
    let page = store
        .list_documents(&query, PageRequest { limit: 20, after: None, before: None, from_end: false })
        .await
        .map_err(operator_error)?;
    match page.items.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no document has the symbol {}", symbol.normalized()),
        several => {
            let ids: Vec<String> = several
                .iter()
                .map(|d| format!("{} of {} ({})", DocumentId(d.id).to_global(), d.issued_on, d.symbol))
                .collect();
            bail!("several documents have the symbol {}: name one by its ID: {}", symbol.normalized(), ids.join(", "))
        }
    }
}

/// A day given on the command line: ISO, or day first as documents write it.
pub fn day_argument(text: &str) -> Result<NaiveDate, String> {
    parse_day(text)
}

/// `directives import FILE [--document D] [--dry-run]`.
pub async fn import(store: &Store, file: &Path, document: Option<&str>, dry_run: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let Some(reference) = document else {
        if dry_run {
            bail!("--dry-run checks a task list: give the document it belongs to with --document");
        }
        let text = std::str::from_utf8(&bytes).with_context(|| format!("{} is not UTF-8 JSON", file.display()))?;
        let hierarchy = seed::parse(text).map_err(operator_error)?;
        let loaded = seed::load(store, &hierarchy, AuditContext::system("import")).await.map_err(operator_error)?;
        println!(
            "loaded {}: {} agencies, {} documents, {} tasks, {} progress reports added",
            file.display(),
            loaded.agencies,
            loaded.documents,
            loaded.tasks,
            loaded.reports
        );
        return Ok(());
    };
    let doc = find_document(store, reference).await?;
    let format = FileFormat::detect(file.file_name().and_then(|n| n.to_str()), &bytes);
    let tx = store.begin(AuditContext::system("importTasks")).await.map_err(operator_error)?;
    match import_tasks(&tx, DocumentId(doc.id), format, &bytes, dry_run).await.map_err(operator_error)? {
        Outcome::Refused(problems) => {
            for problem in &problems {
                eprintln!("{}: {problem}", file.display());
            }
            bail!(
                "{} was refused and nothing was imported: {} problem(s), listed above",
                file.display(),
                problems.len()
            );
        }
        Outcome::Accepted { plan, created } => {
            let groups = if plan.new_groups.is_empty() {
                String::new()
            } else {
                let codes: Vec<&str> = plan.new_groups.iter().map(|(c, _)| c.as_str()).collect();
                format!(" and task groups {}", codes.join(", "))
            };
            if dry_run {
                println!(
                    "dry run: {} would add {} tasks{groups} to {}; nothing written",
                    file.display(),
                    plan.tasks.len(),
                    doc.symbol
                );
            } else {
                tx.commit().await.map_err(operator_error)?;
                println!("imported {}: {} tasks{groups} added to {}", file.display(), created.len(), doc.symbol);
            }
            Ok(())
        }
    }
}

/// `directives export --document D --format F [--as-of DAY] --output FILE` (`-` writes to standard output).
pub async fn export(
    store: &Store,
    document: &str,
    format: FileFormat,
    as_of: NaiveDate,
    max_depth: i32,
    output: &Path,
) -> anyhow::Result<()> {
    let doc = find_document(store, document).await?;
    let cascade = Cascade::read(store, doc.id, as_of, max_depth).await.map_err(operator_error)?;
    let bytes = cascade.write(format).map_err(operator_error)?;
    let tasks: usize = cascade.tasks.values().map(Vec::len).sum();
    if output == Path::new("-") {
        use std::io::Write;
        std::io::stdout().write_all(&bytes)?;
    } else {
        std::fs::write(output, &bytes).with_context(|| format!("cannot write {}", output.display()))?;
    }
    eprintln!(
        "exported the cascade of {}: {} documents, {} tasks, status as of {as_of}, to {}",
        doc.symbol,
        cascade.documents.len(),
        tasks,
        if output == Path::new("-") { "standard output".to_owned() } else { output.display().to_string() }
    );
    Ok(())
}
