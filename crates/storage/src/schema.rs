//! The one diesel schema for both backends (portable types only).

diesel::table! {
    provinces (code) {
        code -> Text,
        name -> Text,
        short_name -> Text,
    }
}

diesel::table! {
    communes (code) {
        code -> Text,
        province_code -> Text,
        name -> Text,
        short_name -> Text,
        kind -> Text,
        search_key -> Text,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        commune_code -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        role -> Text,
        phone -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    throttle (key) {
        key -> Text,
        attempts -> Integer,
        blocked_until -> Nullable<Timestamp>,
        last_at -> Timestamp,
    }
}

diesel::table! {
    sellers (id) {
        id -> Text,
        user_id -> Text,
        full_name -> Text,
        phone -> Text,
        national_id_ciphertext -> Binary,
        national_id_lookup -> Text,
        national_id_last3 -> Text,
        commune_code -> Text,
        address -> Text,
        farm_name -> Nullable<Text>,
        bank_bin -> Text,
        bank_account_number -> Text,
        bank_account_name -> Text,
        consent_terms_version -> Text,
        consent_method -> Text,
        consent_recorded_by -> Text,
        consent_at -> Timestamp,
        organisation_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    activation_codes (user_id) {
        user_id -> Text,
        code_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        attempts -> Integer,
    }
}

diesel::table! {
    issuer_keys (id) {
        id -> Text,
        organisation_id -> Text,
        did -> Text,
        secret_key_sealed -> Nullable<Binary>,
        status -> Text,
        valid_from -> Timestamp,
        valid_until -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revocation_reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assigned_gtins (gtin) {
        gtin -> Text,
        seller_id -> Text,
        product_key -> Text,
        item_reference -> BigInt,
    }
}

diesel::table! {
    lots (id) {
        id -> Text,
        seller_id -> Text,
        lot_code -> Text,
        gtin -> Text,
        product_name -> Text,
        quantity -> Text,
        unit -> Text,
        quantity_g -> Nullable<BigInt>,
        harvested_on -> Text,
        commune_code -> Text,
        farm_name -> Text,
        status -> Text,
        genesis_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    lot_events (id) {
        id -> Text,
        lot_id -> Text,
        seq -> BigInt,
        event_type -> Text,
        occurred_at -> Timestamp,
        recorded_at -> Timestamp,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
        recorded_by -> Text,
        acting_for -> Nullable<Text>,
    }
}

diesel::table! {
    provenance_records (id) {
        id -> Text,
        lot_id -> Text,
        version -> BigInt,
        credential -> Text,
        issuer_key_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        actor_user_id -> Text,
        acting_for -> Nullable<Text>,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    listings (id) {
        id -> Text,
        search_id -> BigInt,
        seller_id -> Text,
        title -> Text,
        category -> Text,
        unit -> Text,
        price_vnd -> BigInt,
        quantity -> BigInt,
        unit_weight_g -> Nullable<BigInt>,
        description -> Nullable<Text>,
        lot_id -> Nullable<Text>,
        status -> Text,
        commune_code -> Text,
        province_code -> Text,
        search_title -> Text,
        search_body -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    listing_photos (id) {
        id -> Text,
        listing_id -> Text,
        position -> Integer,
        large_key -> Text,
        large_width -> Integer,
        large_height -> Integer,
        thumbnail_key -> Text,
        thumbnail_width -> Integer,
        thumbnail_height -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        code -> Text,
        buyer_user_id -> Text,
        status -> Text,
        payment_method -> Text,
        total_vnd -> BigInt,
        paid_vnd -> BigInt,
        postage_vnd -> BigInt,
        shipping_name -> Text,
        shipping_phone -> Text,
        shipping_address -> Text,
        shipping_commune_code -> Text,
        payment_due_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_parts (id) {
        id -> Text,
        order_id -> Text,
        seller_id -> Text,
        status -> Text,
        subtotal_vnd -> BigInt,
        confirmed_at -> Nullable<Timestamp>,
        handed_over_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        recalled_at -> Nullable<Timestamp>,
        recall_reason -> Nullable<Text>,
        recall_lot_id -> Nullable<Text>,
        code -> Nullable<Text>,
        postage_vnd -> BigInt,
        weight_g -> Nullable<BigInt>,
        zone -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
    }
}

diesel::table! {
    order_items (id) {
        id -> Text,
        order_id -> Text,
        part_id -> Text,
        listing_id -> Text,
        lot_id -> Nullable<Text>,
        title -> Text,
        unit -> Text,
        unit_price_vnd -> BigInt,
        quantity -> BigInt,
        line_total_vnd -> BigInt,
    }
}

diesel::table! {
    ledger_accounts (code) {
        code -> Text,
        normal_side -> Text,
        non_negative -> Bool,
        debits_posted -> BigInt,
        credits_posted -> BigInt,
        debits_pending -> BigInt,
        credits_pending -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_transfers (id) {
        id -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        kind -> Text,
        debit_account -> Text,
        credit_account -> Text,
        amount_vnd -> BigInt,
        pending_id -> Nullable<Text>,
        memo -> Text,
        reference -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    postage_tariffs (id) {
        id -> Text,
        tariff -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (caller, idempotency_key) {
        caller -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        status -> Nullable<Integer>,
        content_type -> Nullable<Text>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(communes -> provinces (province_code));
diesel::joinable!(sellers -> users (user_id));
diesel::joinable!(sellers -> communes (commune_code));
diesel::joinable!(lots -> sellers (seller_id));
diesel::joinable!(lots -> communes (commune_code));
diesel::joinable!(lot_events -> lots (lot_id));
diesel::joinable!(provenance_records -> lots (lot_id));
diesel::joinable!(issuer_keys -> organisations (organisation_id));
diesel::joinable!(listings -> sellers (seller_id));
diesel::joinable!(listings -> communes (commune_code));
diesel::joinable!(listings -> lots (lot_id));
diesel::joinable!(listing_photos -> listings (listing_id));
diesel::joinable!(order_parts -> orders (order_id));
diesel::joinable!(order_parts -> sellers (seller_id));
diesel::joinable!(order_items -> order_parts (part_id));
diesel::joinable!(order_items -> listings (listing_id));

diesel::allow_tables_to_appear_in_same_query!(
    provinces,
    communes,
    organisations,
    users,
    sessions,
    throttle,
    sellers,
    activation_codes,
    issuer_keys,
    assigned_gtins,
    lots,
    lot_events,
    provenance_records,
    audit_log,
    counters,
    listings,
    listing_photos,
    orders,
    order_parts,
    postage_tariffs,
    idempotency_keys,
    order_items,
    ledger_accounts,
    ledger_transfers,
    bank_webhook_inbox,
    bank_transfers,
    cod_remittances,
    payout_batches,
    payout_items,
);

diesel::table! {
    bank_webhook_inbox (id) {
        id -> Text,
        received_at -> Timestamp,
        raw_body -> Text,
        notification_id -> Nullable<Text>,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    bank_transfers (notification_id) {
        notification_id -> Text,
        gateway -> Text,
        transaction_at -> Timestamp,
        account_number -> Text,
        content -> Text,
        direction -> Text,
        amount_vnd -> BigInt,
        reference_code -> Nullable<Text>,
        outcome -> Text,
        order_id -> Nullable<Text>,
        applied_vnd -> BigInt,
        excess_vnd -> BigInt,
        note -> Nullable<Text>,
        received_at -> Timestamp,
        assigned_by -> Nullable<Text>,
        assigned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cod_remittances (id) {
        id -> Text,
        post_office -> Text,
        amount_vnd -> BigInt,
        status -> Text,
        reference -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        resolved_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payout_batches (id) {
        id -> Text,
        status -> Text,
        total_vnd -> BigInt,
        item_count -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payout_items (id) {
        id -> Text,
        batch_id -> Text,
        seller_id -> Text,
        amount_vnd -> BigInt,
        bank_bin -> Text,
        account_number -> Text,
        account_name -> Text,
        purpose -> Text,
        status -> Text,
    }
}

diesel::joinable!(payout_items -> payout_batches (batch_id));
diesel::joinable!(payout_items -> sellers (seller_id));
diesel::joinable!(bank_transfers -> orders (order_id));
