//! The `nongsan serve` process as an operator runs it: logs as JSON when
//! asked (one line per request), and on SIGTERM it finishes the requests
//! in flight and exits 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A running `nongsan serve` on a fresh SQLite database and a free port.
struct Serving {
    child: Child,
    /// `127.0.0.1:PORT`
    address: String,
    stderr: Receiver<String>,
    _dir: tempfile::TempDir,
}

impl Serving {
    fn start(env: &[(&str, &str)]) -> Serving {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_nongsan"))
            .args(["--database", &format!("sqlite://{}", dir.path().join("db.sqlite").display())])
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("NONGSAN_DATA_DIR", dir.path())
            .env("NONGSAN_WORKERS", "1")
            .env_remove("NONGSAN_LOG")
            .env_remove("NONGSAN_LOG_FORMAT")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines, stderr) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        // "nongsan listening on http://127.0.0.1:PORT (database: …)"
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let address = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("no address in `{line}`"))
            .to_string();
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Serving { child, address, stderr, _dir: dir }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        stream
    }

    /// One request on its own connection; the whole answer as text.
    fn request(&self, head: &str) -> String {
        let mut stream = self.connect();
        stream.write_all(head.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    fn terminate(&self) {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(sent.success());
    }

    /// Waits for the process to end; its exit status.
    fn wait(&mut self, at_most: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + at_most;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop within {at_most:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn json_logs_have_one_line_per_request() {
    let mut s = Serving::start(&[("NONGSAN_LOG_FORMAT", "json")]);
    let answer = s.request(
        "GET /api/v1/categories HTTP/1.1\r\nHost: x\r\nX-Request-Id: req-7f3a\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let line = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match s.stderr.recv_timeout(left) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                panic!("no request line logged")
            }
        };
        let entry: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
        assert!(entry["timestamp"].is_string() && entry["level"].is_string(), "{entry}");
        if entry["message"] == "request" {
            break entry;
        }
    };
    assert_eq!(line["method"], "GET", "{line}");
    assert_eq!(line["route"], "/api/v1/categories", "{line}");
    assert_eq!(line["status"], 200, "{line}");
    assert_eq!(line["request_id"], "req-7f3a", "{line}");
    assert!(line["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{line}");
    s.terminate();
    assert!(s.wait(Duration::from_secs(20)).success());
}

#[test]
fn an_unknown_log_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nongsan"))
        .args(["--database", &format!("sqlite://{}", dir.path().join("db.sqlite").display()), "migrate"])
        .env("NONGSAN_DATA_DIR", dir.path())
        .env("NONGSAN_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NONGSAN_LOG_FORMAT"));
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_0() {
    let mut s = Serving::start(&[]);
    // accepting connections by now (not merely listening)
    let ready = s.request("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    // A login whose body is still arriving when the signal comes.
    let body = r#"{"phone":"0900000001","password":"not the password"}"#;
    let mut stream = s.connect();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body.as_bytes()[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    s.terminate();
    std::thread::sleep(Duration::from_millis(700));
    let early = s.child.try_wait().unwrap();
    assert!(early.is_none(), "the server waits for the request in flight, yet ended: {early:?}");
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "the request was answered in full: {answer}");
    assert!(answer.contains("\"code\""), "{answer}");
    let status = s.wait(Duration::from_secs(20));
    assert_eq!(status.code(), Some(0), "a graceful stop exits 0");
}
