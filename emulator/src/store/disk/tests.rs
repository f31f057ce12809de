//! The disk store on its own: what a restart finds, what it sweeps, what a refusal leaves.

use std::path::PathBuf;

use bytes::Bytes;

use super::*;
use crate::store::Kind;

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("disk-store-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn body(store: &DiskStore, bytes: &'static [u8]) -> Blob {
    let mut writer = store.writer().unwrap_or_else(|e| panic!("{e:?}"));
    assert!(writer.write(Bytes::from_static(bytes)).is_ok());
    writer.finish().unwrap_or_else(|e| panic!("{e:?}"))
}

fn put(store: &DiskStore, key: &str, bytes: &'static [u8]) -> Previous {
    let meta = Meta::new(
        bytes.len() as u64,
        "E".to_owned(),
        7,
        "text/plain".to_owned(),
    );
    let blob = body(store, bytes);
    store
        .put("b", key, blob, meta)
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn read(store: &DiskStore, key: &str) -> Vec<u8> {
    let blob = store.blob("b", key).unwrap_or_else(|e| panic!("{e:?}"));
    blob.head(usize::MAX).to_vec()
}

fn bodies(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("bodies")).map_or(0, Iterator::count)
}

/// A store that writes every body to a file of its own.
fn open(dir: &Path) -> DiskStore {
    open_with(dir, InlineBodies { each: 0, total: 0 })
}

fn open_with(dir: &Path, inline: InlineBodies) -> DiskStore {
    let options = DiskOptions {
        max_bytes: u64::MAX,
        temporary: false,
        fsync: true,
        inline,
    };
    DiskStore::open(dir, options).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_reopened_store_has_the_objects_their_metadata_and_the_listing() {
    let dir = dir("reopen");
    {
        let store = open(&dir);
        assert_eq!(
            store.create_bucket(crate::ops::new_bucket("b", "private", "Standard")),
            Ok(true)
        );
        put(&store, "z", b"last");
        put(&store, "a/1", b"first");
        assert!(
            store
                .update_meta("b", "z", &mut |m| m.acl = "private".to_owned())
                .is_ok()
        );
    }
    let store = open(&dir);
    assert!(store.bucket("b").is_some());
    let listed = store.list("b", "", "", 10).unwrap_or_default();
    let keys: Vec<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["a/1", "z"]);
    assert_eq!(read(&store, "z"), b"last");
    let meta = store.meta("b", "z").unwrap_or_else(|| panic!("no meta"));
    assert_eq!(
        (meta.acl.as_str(), meta.crc64, meta.kind),
        ("private", 7, Kind::Normal)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_overwrite_removes_the_old_body_once_its_readers_are_done() {
    let dir = dir("overwrite");
    let store = open(&dir);
    put(&store, "k", b"old");
    let reader = store.blob("b", "k").unwrap_or_default();
    let previous = put(&store, "k", b"new");
    drop(previous);
    assert_eq!(bodies(&dir), 2, "the reader still holds the old body");
    assert_eq!(reader.head(10), Bytes::from_static(b"old"));
    drop(reader);
    assert_eq!(bodies(&dir), 1);
    assert_eq!(read(&store, "k"), b"new");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn restore_puts_the_old_object_back_on_disk_too() {
    let dir = dir("restore");
    {
        let store = open(&dir);
        put(&store, "k", b"old");
        let previous = put(&store, "k", b"refused");
        store.restore("b", "k", previous);
        assert_eq!(read(&store, "k"), b"old");
    }
    let store = open(&dir);
    assert_eq!(read(&store, "k"), b"old");
    assert_eq!(bodies(&dir), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_start_sweeps_temp_files_and_bodies_no_record_names() {
    let dir = dir("sweep");
    {
        let store = open(&dir);
        put(&store, "k", b"kept");
    }
    assert!(std::fs::write(dir.join("tmp").join("partial"), b"half").is_ok());
    assert!(std::fs::write(dir.join("bodies").join("orphan"), b"never named").is_ok());
    let store = open(&dir);
    assert_eq!(
        std::fs::read_dir(dir.join("tmp")).map_or(0, Iterator::count),
        0
    );
    assert_eq!(bodies(&dir), 1);
    assert_eq!(read(&store, "k"), b"kept");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_copy_gets_a_body_of_its_own() {
    let dir = dir("copy");
    let store = open(&dir);
    put(&store, "src", b"shared");
    let source = store.blob("b", "src").unwrap_or_default();
    let meta = store.meta("b", "src").unwrap_or_else(|| panic!("no meta"));
    assert!(store.put("b", "dst", source, meta).is_ok());
    assert!(store.delete("b", "src"));
    assert_eq!(read(&store, "dst"), b"shared");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parts_join_with_their_crc_and_an_upload_survives_a_restart() {
    let dir = dir("parts");
    let id = {
        let store = open(&dir);
        let meta = Meta::new(0, String::new(), 0, String::new());
        let id = store.initiate("b", "k", meta).unwrap_or_default();
        for (number, bytes) in [(1, b"ab" as &'static [u8]), (2, b"cd")] {
            let part = Part {
                blob: body(&store, bytes),
                md5: [0; 16],
                crc64: 0,
                last_modified: std::time::SystemTime::now(),
            };
            assert!(store.put_part(&id, "b", "k", number, part).is_ok());
        }
        id
    };
    let store = open(&dir);
    let upload = store
        .upload(&id, "b", "k")
        .unwrap_or_else(|| panic!("no upload"));
    let blobs: Vec<Blob> = upload.parts.values().map(|p| p.blob.clone()).collect();
    let (joined, crc) = store.join(&blobs).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(joined.head(10), Bytes::from_static(b"abcd"));
    assert_eq!(crc, crate::checksum::crc64(b"abcd"));
    drop(blobs);
    drop(upload);
    store.end_upload(&id);
    drop(joined);
    assert_eq!(bodies(&dir), 0, "the parts and the unstored join are gone");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_full_disk_is_its_own_refusal() {
    let full = std::io::Error::from_raw_os_error(28);
    assert_eq!(StoreError::io(full), StoreError::DiskFull);
    let reply = crate::responses::ErrorReply::of_store(StoreError::DiskFull, u64::MAX);
    assert_eq!(reply.status, http::StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.code, "InternalError");
}

#[test]
fn small_bodies_go_inline_in_their_record_and_survive_a_restart() {
    let dir = dir("inline");
    let inline = InlineBodies {
        each: 8,
        total: 1024,
    };
    {
        let store = open_with(&dir, inline);
        put(&store, "small", b"tiny");
        put(&store, "large", b"more than eight");
        assert_eq!(bodies(&dir), 1, "only the large body has a file");
        // Metadata changes rewrite the record: the inline body goes along.
        assert!(
            store
                .update_meta("b", "small", &mut |m| m.acl = "private".to_owned())
                .is_ok()
        );
        // Overwrites in both directions leave one file per large body.
        put(&store, "large", b"now 5");
        put(&store, "small", b"grown past eight");
        assert_eq!(bodies(&dir), 1);
    }
    let store = open_with(&dir, inline);
    assert_eq!(read(&store, "small"), b"grown past eight");
    assert_eq!(read(&store, "large"), b"now 5");
    assert_eq!(bodies(&dir), 1, "the start sweeps nothing still named");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn inline_bodies_stop_at_their_total_and_restore_counts_them_again() {
    let dir = dir("inline-total");
    let store = open_with(&dir, InlineBodies { each: 8, total: 10 });
    put(&store, "a", b"12345678");
    put(&store, "b", b"12345678");
    assert_eq!(bodies(&dir), 1, "the second would pass the total: a file");
    assert_eq!(read(&store, "b"), b"12345678");
    // A refused overwrite puts the inline body back, counted as held again.
    let previous = put(&store, "a", b"refused");
    store.restore("b", "a", previous);
    assert_eq!(read(&store, "a"), b"12345678");
    assert!(store.delete("b", "b"));
    put(&store, "c", b"12");
    assert_eq!(bodies(&dir), 0, "held: a (8) and c (2), within the total");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_torn_entry_at_the_end_of_the_log_leaves_the_object_before_it() {
    let dir = dir("torn");
    let inline = InlineBodies {
        each: 64,
        total: 1024,
    };
    {
        let store = open_with(&dir, inline);
        put(&store, "k", b"old");
        put(&store, "other", b"kept");
        put(&store, "k", b"new, torn by a kill");
    }
    let log = dir.join("objects.log");
    let content = std::fs::read(&log).unwrap_or_default();
    assert!(content.ends_with(b"\nnew, torn by a kill"));
    assert!(std::fs::write(&log, &content[..content.len() - 3]).is_ok());
    {
        let store = open_with(&dir, inline);
        assert_eq!(read(&store, "k"), b"old");
        assert_eq!(read(&store, "other"), b"kept");
        // The torn tail is cut: what is appended next is read back after it.
        put(&store, "k", b"newer");
    }
    let store = open_with(&dir, inline);
    assert_eq!(read(&store, "k"), b"newer");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deletes_are_in_the_log_and_a_rewrite_keeps_the_live_objects_alone() {
    let dir = dir("rewrite");
    let inline = InlineBodies {
        each: 4,
        total: 1024,
    };
    {
        let store = open_with(&dir, inline);
        for _ in 0..50 {
            put(&store, "k", b"tiny");
        }
        put(&store, "file", b"has a file");
        put(&store, "gone", b"soon");
        let before = std::fs::metadata(dir.join("objects.log")).map_or(0, |m| m.len());
        // From here every append rewrites the log: the delete's own append too, before the
        // index forgets the object (a rewrite from the index would bring it back).
        store.log.set_slack(0);
        assert!(store.delete("b", "gone"));
        let after = std::fs::metadata(dir.join("objects.log")).map_or(0, |m| m.len());
        assert!(after * 10 < before, "{after} of {before} bytes");
        put(&store, "later", b"new");
    }
    let store = open_with(&dir, inline);
    let listed = store.list("b", "", "", 10).unwrap_or_default();
    let keys: Vec<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["file", "k", "later"]);
    assert_eq!(read(&store, "file"), b"has a file");
    assert_eq!(bodies(&dir), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_garbled_log_keeps_what_follows_aside_and_sweeps_no_body() {
    let dir = dir("garbled");
    {
        let store = open(&dir);
        put(&store, "a", b"first");
        put(&store, "b", b"second");
    }
    let log = dir.join("objects.log");
    let mut content = std::fs::read(&log).unwrap_or_default();
    // The first entry's length field says 4 GiB; 2 MiB of zeros follow the log.
    content[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    content.extend(vec![0; 2 << 20]);
    assert!(std::fs::write(&log, &content).is_ok());
    let store = open(&dir);
    assert!(store.meta("b", "a").is_none() && store.meta("b", "b").is_none());
    assert_eq!(bodies(&dir), 2, "no body is swept");
    let aside = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(
        aside
            .iter()
            .any(|name| name.to_string_lossy().starts_with("objects.log.garbled-")),
        "{aside:?}"
    );
    assert_eq!(std::fs::metadata(&log).map_or(1, |m| m.len()), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn records_of_a_run_before_the_log_move_into_it() {
    let dir = dir("legacy");
    let folder = dir.join("objects").join(super::files::hash("b"));
    assert!(std::fs::create_dir_all(&folder).is_ok());
    // As the layout before the log had it: a record file naming a body file.
    assert!(std::fs::create_dir_all(dir.join("bodies")).is_ok());
    assert!(std::fs::write(dir.join("bodies").join("old-body"), b"abc").is_ok());
    let record = br#"{"bucket":"b","key":"old/k","body":"old-body","meta":"#;
    let meta = Meta::new(3, "E".to_owned(), 7, "text/plain".to_owned());
    let mut content = record.to_vec();
    content.extend(serde_json::to_vec(&meta).unwrap_or_default());
    content.extend(b"}");
    assert!(std::fs::write(folder.join("x.json"), content).is_ok());
    {
        let store = open(&dir);
        assert_eq!(read(&store, "old/k"), b"abc");
        assert!(!dir.join("objects").exists());
    }
    let store = open(&dir);
    assert_eq!(read(&store, "old/k"), b"abc");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_restore_and_a_bucket_s_rules_survive_a_restart() {
    let dir = dir("restore-state");
    let restore = crate::store::Restore {
        ready: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000),
        expires: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(90_000),
        tier: Some("Bulk".to_owned()),
    };
    {
        let store = open(&dir);
        let mut bucket = crate::ops::new_bucket("b", "private", "Archive");
        bucket.resource_group = Some("rg-1".to_owned());
        assert_eq!(store.create_bucket(bucket), Ok(true));
        put(&store, "frozen", b"cold");
        let mut change = |meta: &mut Meta| {
            meta.storage_class = "ColdArchive".to_owned();
            meta.restore = Some(restore.clone());
        };
        assert_eq!(store.update_meta("b", "frozen", &mut change), Ok(()));
        let mut rule = |bucket: &mut Bucket| {
            bucket.encryption = Some(("KMS".to_owned(), Some("k".to_owned()), None));
        };
        assert_eq!(store.update_bucket("b", &mut rule), Ok(()));
    }
    let store = open(&dir);
    let meta = store.meta("b", "frozen").unwrap_or_else(|| panic!("lost"));
    assert_eq!(meta.storage_class, "ColdArchive");
    assert_eq!(meta.restore, Some(restore));
    let bucket = store.bucket("b").unwrap_or_else(|| panic!("lost"));
    assert_eq!(bucket.resource_group.as_deref(), Some("rg-1"));
    assert_eq!(
        bucket.encryption,
        Some(("KMS".to_owned(), Some("k".to_owned()), None))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
