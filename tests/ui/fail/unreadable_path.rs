oss_callback::catalog!(path = "no/such/catalog.toml");

fn main() {}
