oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "bad_status"
message = "Status {status} from {host}."
fields = { status = "u16", host = "string" }
cause = "The server answered with another status than 200."
solutions = ["Answer 200."]
fault = "callback_server"
retry = "never"
rule = "status_not_200"
samples = ["Status 404 from example.com."]
"#);

fn main() {}
