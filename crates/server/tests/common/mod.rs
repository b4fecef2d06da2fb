//! What the tests that run `nongsan` as processes share: a cluster of
//! servers on one database (each with its own data folder and log), the
//! command line, and small JSON request helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::Value;

pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process killed when the test ends, pass or fail.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Cluster {
    pub db_url: String,
    pub env: Vec<(String, String)>,
    pub data: tempfile::TempDir,
}

impl Cluster {
    pub fn nongsan(&self, data_dir: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_nongsan"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &self.db_url)
            .env("NONGSAN_DATA_DIR", self.data.path().join(data_dir))
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Starts `nongsan serve` with the data folder `name`; a server started
    /// again under the same name keeps its folder and adds to its log.
    pub fn serve(&self, name: &str, port: u16) -> Running {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data.path().join(format!("{name}.log")))
            .unwrap();
        let child = self
            .nongsan(name)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        Running(child)
    }

    /// Runs a command line to completion; returns its stdout.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut child = self
            .nongsan("cli")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(text) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// A post office in Xã Hồng Thái with its staff (0900000002) and an
    /// admin (0900000001), made with the command line as an operator would;
    /// both sign in with `password`.
    pub fn post_office_admin_and_staff(&self, password: &str) {
        let created = self.run(
            &["org", "add", "--kind", "post_office", "--name", "Bưu điện xã Hồng Thái", "--commune", "02260"],
            None,
        );
        let org = created.split_whitespace().nth(2).unwrap().to_owned();
        let pw = format!("{password}\n");
        self.run(&["user", "add", "--role", "admin", "--phone", "0900000001", "--name", "Admin"], Some(&pw));
        let staff = [
            "user",
            "add",
            "--role",
            "staff",
            "--phone",
            "0900000002",
            "--name",
            "Chị Hằng",
            "--organisation",
            &org,
        ];
        self.run(&staff, Some(&pw));
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.data.path().join(format!("{name}.log"))).unwrap_or_default()
    }
}

pub async fn wait_healthy(client: &Client, base: &str, what: &str, cluster: &Cluster) {
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == StatusCode::OK {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not come up:\n{}", cluster.log(what));
}

pub async fn post(client: &Client, url: String, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut req = client.post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn get(client: &Client, url: String, token: &str) -> (StatusCode, Value) {
    let r = client.get(url).bearer_auth(token).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}
