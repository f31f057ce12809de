oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "not_json"
message = "The answer is not JSON."
cause = "The body is not JSON."
solutions = ["Answer JSON."]
fault = "callback_server"
retry = "never"
rule = "body_not_json"
samples = ["The answer is not JSON."]
"#, extend_builtin);

fn main() {}
