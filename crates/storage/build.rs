// Migrations are embedded at compile time; rebuild when a new one is added.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
