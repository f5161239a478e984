//! The README's worked examples answer what the README says they answer, on the sample.

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

const README: &str = include_str!("../../README.md");

/// The first fenced block of `lang` after the heading `heading`.
fn block(heading: &str, lang: &str) -> &'static str {
    let section = &README[README.find(heading).unwrap_or_else(|| panic!("the README has {heading}"))..];
    let fence = format!("```{lang}\n");
    let start = section.find(&fence).unwrap_or_else(|| panic!("{heading} has a {lang} block")) + fence.len();
    let end = section[start..].find("```").expect("the block ends");
    &section[start..start + end]
}

async fn the_dashboard_example_shows_the_sample_as_it_is(app: TestApp) {
    app.seed_sample().await;
    let heading = "## A steering committee's dashboard";
    let r = app.gql(block(heading, "graphql"), json!({})).await;
    let got = r.data("documents.nodes.0").clone();
    let shown: Value = serde_json::from_str(block(heading, "json")).expect("the README's answer is JSON");
    assert_eq!(got["symbol"], shown["symbol"]);
    assert_eq!(got["implementationCoverage"], shown["implementationCoverage"]);
    assert_eq!(got["progress"], shown["progress"]);
    // The README cuts the agency table after its first rows.
    let rows = shown["progressByAgency"].as_array().unwrap();
    assert_eq!(&got["progressByAgency"].as_array().unwrap()[..rows.len()], rows.as_slice());
}

db_tests!(the_dashboard_example_shows_the_sample_as_it_is);
