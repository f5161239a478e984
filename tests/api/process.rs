//! The real `directives` binary as an operator runs it: started with environment variables, its
//! log lines collected, stopped with a signal.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::TEST_SECRET;

pub struct Process {
    child: Child,
    pub address: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// `directives serve` on a free port, with the test secret and `env` on top.
    pub fn serve(env: &[(&str, &str)]) -> Process {
        let mut command = Command::new(env!("CARGO_BIN_EXE_directives"));
        command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DIRECTIVES_JWT_SECRET", TEST_SECRET)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the binary starts");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let lines = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        // The first line on stdout names the address; the rest is drained so the pipe never fills.
        let (tx, rx) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let address = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(address) = line.strip_prefix("directives is listening on ") {
                        break format!("http://{}", address.trim());
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("the server did not start; its log:\n{}", stderr.lock().unwrap().join("\n"));
                }
            }
        };
        Process { child, address, stderr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as an orchestrator stopping the instance does.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("the process can be waited for") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Every line written to standard error so far.
    pub fn log(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// The log lines that are JSON objects.
    pub fn json_log(&self) -> Vec<serde_json::Value> {
        self.log().iter().filter_map(|line| serde_json::from_str(line).ok()).collect()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary SQLite database URL and a guard that deletes its files.
pub fn sqlite_database(name: &str) -> (String, TempFiles) {
    let path =
        std::env::temp_dir().join(format!("directives_{name}_{}_{}.db", std::process::id(), uuid::Uuid::now_v7()));
    (format!("sqlite://{}?mode=rwc", path.display()), TempFiles(path))
}

pub struct TempFiles(pub std::path::PathBuf);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}
