//! A throwaway PostgreSQL cluster that a test owns and may stop and start: `initdb` and `pg_ctl`
//! from the newest `/usr/lib/postgresql/*/bin`, in a temporary directory, on a free port (never
//! the machine's server). As root, the cluster runs as user `postgres`, since PostgreSQL refuses
//! to run as root.

use std::path::PathBuf;
use std::process::Command;

pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
}

impl Cluster {
    pub fn start() -> Cluster {
        let bin = newest_server_bin()
            .expect("PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin: install postgresql");
        let dir = std::env::temp_dir().join(format!("directives-pg-{}-{}", std::process::id(), uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let run_as = is_root().then_some("postgres");
        if let Some(user) = run_as {
            assert!(Command::new("chown").args([user, dir.to_str().unwrap()]).status().unwrap().success());
        }
        let cluster = Cluster { bin, port: free_port(), dir, run_as };
        cluster.run(
            "initdb",
            &["-D", cluster.data().to_str().unwrap(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        );
        cluster.start_server();
        cluster
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server again, on the same port.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
    }

    /// Stops the server: clients are disconnected and new connections refused.
    pub fn stop_server(&self) {
        self.run("pg_ctl", &["-D", self.data().to_str().unwrap(), "-m", "fast", "-w", "-t", "60", "stop"]);
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        let mut command = match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        command.current_dir(&self.dir);
        command
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().unwrap_or_else(|e| panic!("{tool} runs: {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.command("pg_ctl").args(["-D", self.data().to_str().unwrap(), "-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn newest_server_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// A port no one listens on now; 5432 and its neighbours are left alone.
fn free_port() -> u16 {
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if !(5400..5500).contains(&port) {
            return port;
        }
    }
}
