//! The peers of `benches/wrk/run.sh`: a bare axum handler that parses the same callback body with
//! serde and answers the same JSON as the example server, without verifying
//! (`wrk_peer serve ADDR`, `support/bare.rs`); the same handler verifying the signature first
//! with the simulator's key (`wrk_peer serve-verifying ADDR`, `bare::verifying`); and the wrk script cycling through a pool of distinct
//! simulator-signed callbacks (`wrk_peer script URL POOL_FILE`: the requests go to POOL_FILE,
//! the script to stdout). `--features simulate,axum --example wrk_peer`

use axum::{Router, routing::post};
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::simulate::{ObjectInfo, Simulator, simulator_key};

#[path = "axum_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod example;

#[path = "support/bare.rs"]
#[allow(unreachable_pub)]
mod bare;

const OBJECT: &str = "wrk/cat on a mat.jpg";

/// Distinct callbacks in the pool (`uid` 0, 1, ...): at 100,000 requests/s a trip through
/// it takes 0.2 s, longer than `serve --replay-ttl-ms` keeps an answer in `run.sh`.
const POOL: usize = 20_000;

/// The callback OSS would send to `url` for `OBJECT` from user `uid`, kept alive (the
/// `Connection` header is not signed).
fn signed_request(url: &str, uid: usize) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let param = CallbackParameter::for_callback::<example::Upload>(url);
    let vars = CallbackVariables::new().set("uid", uid.to_string())?;
    let object = ObjectInfo::new("examplebucket", OBJECT)
        .size(114_020)
        .mime_type("image/jpeg");
    let request = Simulator::new().render_request(&param, &vars, &object, 0)?;
    let close = b"Connection: close\r\n";
    let at = request
        .windows(close.len())
        .position(|w| w == close)
        .ok_or("no Connection header")?;
    Ok([&request[..at], &request[at + close.len()..]].concat())
}

/// Writes the pool to `pool_file` (requests separated by NUL bytes) and returns the wrk script
/// that sends them in turn, round and round.
fn script(url: &str, pool_file: &str) -> Result<String, Box<dyn std::error::Error>> {
    let mut pool = Vec::new();
    for uid in 0..POOL {
        pool.extend(signed_request(url, uid)?);
        pool.push(0);
    }
    std::fs::write(pool_file, pool)?;
    let path = std::fs::canonicalize(pool_file)?;
    let path = path.to_str().ok_or("a pool path that is not UTF-8")?;
    Ok(format!(
        r#"local pool, n = {{}}, 0
function init(args)
  local file = assert(io.open([==[{path}]==], "rb"))
  local data = file:read("*a")
  file:close()
  local from = 1
  while true do
    local nul = data:find("\0", from, true)
    if not nul then break end
    pool[#pool + 1] = data:sub(from, nul - 1)
    from = nul + 1
  end
end
function request()
  n = n % #pool + 1
  return pool[n]
end
"#
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [command, addr] if command == "serve" || command == "serve-verifying" => {
            let app = if command == "serve" {
                Router::new().route("/oss/callback", post(bare::bare))
            } else {
                Router::new()
                    .route("/oss/callback", post(bare::verifying))
                    .with_state(simulator_key())
            };
            axum::serve(oss_callback::axum::bind(addr).await?, app).await?;
        }
        [command, url, pool_file] if command == "script" => print!("{}", script(url, pool_file)?),
        _ => {
            return Err(
                "usage: wrk_peer serve ADDR | wrk_peer serve-verifying ADDR | wrk_peer script URL POOL_FILE"
                    .into(),
            );
        }
    }
    Ok(())
}
