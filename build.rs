//! Integration tests run against SQLite always and, when `DIRECTIVES_TEST_PG` names a PostgreSQL
//! server at build time, again against PostgreSQL: `cfg(test_pg)` switches those tests on.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(test_pg)");
    println!("cargo::rerun-if-env-changed=DIRECTIVES_TEST_PG");
    if std::env::var("DIRECTIVES_TEST_PG").is_ok_and(|v| !v.trim().is_empty()) {
        println!("cargo::rustc-cfg=test_pg");
    }
}
