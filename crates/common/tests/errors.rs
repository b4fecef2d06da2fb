//! The error rule's promises: codes are their wire names, validation
//! carries field and params, internals never reach a client, diesel's
//! errors map as the rule says.

use actix_web::http::StatusCode;
use common::{ApiError, ErrorCode, FieldError};
use serde_json::Value;

#[test]
fn every_code_is_its_serde_name() {
    for code in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(code).ok(), Some(Value::String(code.as_str().into())));
    }
}

#[test]
fn validation_carries_field_and_params() {
    let e: ApiError =
        FieldError::length("password", 3, 8, 128).map(ApiError::from).unwrap_or_else(|| panic!());
    let body = serde_json::to_value(e.body()).unwrap_or_default();
    assert_eq!(
        body,
        serde_json::json!({"error":{"code":"too_short","message":"password: must be at least 8 characters",
            "field":"password","params":{"min":8}}})
    );
    assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[test]
fn internals_never_reach_the_client() {
    let e = ApiError::internal("disk on fire at /var/lib/x").param("secret", 1).with_extra("also", 2);
    let body = serde_json::to_value(e.body()).unwrap_or_default();
    assert_eq!(
        body,
        serde_json::json!({"error":{"code":"internal","message":"internal error; it has been logged"}})
    );
    assert!(e.to_string().contains("disk on fire"));
}

#[test]
fn out_of_range_names_both_limits() {
    let body = serde_json::to_value(ApiError::out_of_range("limit", 1, 100).body()).unwrap_or_default();
    assert_eq!(
        body,
        serde_json::json!({"error":{"code":"out_of_range","message":"limit: 1 to 100","field":"limit",
            "params":{"min":1,"max":100}}})
    );
}

#[test]
fn a_result_carrying_it_stays_small() {
    assert_eq!(std::mem::size_of::<ApiError>(), std::mem::size_of::<usize>());
}

#[test]
fn unique_violation_is_a_conflict() {
    struct Info;
    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            "duplicate key"
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }
    let e = diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::UniqueViolation,
        Box::new(Info),
    );
    assert_eq!(ApiError::from(e).code(), ErrorCode::Conflict);
    assert_eq!(ApiError::from(diesel::result::Error::NotFound).code(), ErrorCode::NotFound);
    assert_eq!(ApiError::from(diesel::result::Error::RollbackTransaction).code(), ErrorCode::Internal);
}
