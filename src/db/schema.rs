//! Diesel table definitions, written by hand to match `migrations/`.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    write_lock (id) {
        id -> Integer,
        n -> Integer,
    }
}

diesel::table! {
    localities (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        search_name -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        path -> Text,
        established_on -> Nullable<Date>,
        dissolved_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        search_name -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        path -> Text,
        locality_id -> Nullable<Text>,
        established_on -> Nullable<Date>,
        dissolved_on -> Nullable<Date>,
        merged_into_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organisation_moves (id) {
        id -> Text,
        organisation_id -> Text,
        from_parent_id -> Nullable<Text>,
        to_parent_id -> Nullable<Text>,
        moved_on -> Date,
        decision_number -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        full_name -> Nullable<Text>,
        role -> Text,
        scope_organisation_id -> Nullable<Text>,
        disabled -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        client_id -> Text,
        secret_hash -> Text,
        name -> Text,
        role -> Text,
        scope_organisation_id -> Nullable<Text>,
        disabled -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_failures (login) {
        login -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor_type -> Text,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        organisation_path -> Nullable<Text>,
        request_id -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        record_type -> Text,
        record_id -> Text,
        op -> Text,
        version -> BigInt,
        at -> Timestamp,
        organisation_path -> Nullable<Text>,
        data -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (caller, idempotency_key) {
        caller -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_location -> Nullable<Text>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> organisations (scope_organisation_id));
diesel::joinable!(api_clients -> organisations (scope_organisation_id));

diesel::table! {
    people (id) {
        id -> Text,
        full_name -> Text,
        search_name -> Text,
        gender -> Text,
        date_of_birth -> Date,
        ethnicity -> Text,
        religion -> Nullable<Text>,
        national_id -> Nullable<Text>,
        place_of_birth -> Nullable<Text>,
        hometown -> Nullable<Text>,
        residence_locality_id -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        general_education -> Nullable<Integer>,
        professional_level -> Nullable<Text>,
        political_theory -> Nullable<Text>,
        occupation -> Nullable<Text>,
        workplace -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    members (id) {
        id -> Text,
        person_id -> Text,
        organisation_id -> Text,
        status -> Text,
        member_number -> Nullable<Text>,
        admitted_on -> Date,
        official_on -> Nullable<Date>,
        card_number -> Nullable<Text>,
        card_issued_on -> Nullable<Date>,
        left_on -> Nullable<Date>,
        temporary_organisation_id -> Nullable<Text>,
        mentor_member_id -> Nullable<Text>,
        search_name -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    member_events (id) {
        id -> Text,
        member_id -> Text,
        kind -> Text,
        occurred_on -> Date,
        decided_on -> Nullable<Date>,
        decision_number -> Nullable<Text>,
        reason -> Nullable<Text>,
        status_after -> Text,
        organisation_after -> Text,
        detail -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        superseded_on -> Nullable<Date>,
    }
}

diesel::table! {
    candidates (id) {
        id -> Text,
        person_id -> Text,
        organisation_id -> Text,
        source -> Text,
        identified_on -> Date,
        mentor_member_id -> Nullable<Text>,
        introducer_member_ids -> Text,
        youth_union_introduction -> Bool,
        awareness_class_completed_on -> Nullable<Date>,
        education_upgrade_required -> Bool,
        education_upgrade_enrolled_on -> Nullable<Date>,
        education_upgrade_completed_on -> Nullable<Date>,
        stage -> Text,
        member_id -> Nullable<Text>,
        search_name -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    admission_quotas (id) {
        id -> Text,
        organisation_id -> Text,
        year -> Integer,
        target -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(members -> people (person_id));
diesel::joinable!(candidates -> people (person_id));
diesel::joinable!(member_events -> members (member_id));
diesel::joinable!(admission_quotas -> organisations (organisation_id));

diesel::joinable!(members -> organisations (organisation_id));

diesel::table! {
    cadres (id) {
        id -> Text,
        person_id -> Text,
        organisation_id -> Nullable<Text>,
        category -> Nullable<Text>,
        full_time -> Bool,
        in_planning -> Bool,
        planned_positions -> Text,
        notes -> Nullable<Text>,
        search_name -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cadre_oversights (id) {
        id -> Text,
        cadre_id -> Text,
        organisation_id -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    positions (id) {
        id -> Text,
        title -> Text,
        search_name -> Text,
        body -> Text,
        organisation_id -> Nullable<Text>,
        locality_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        cadre_id -> Text,
        position_id -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        kind -> Nullable<Text>,
        decision_number -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rotations (id) {
        id -> Text,
        cadre_id -> Text,
        kind -> Text,
        purpose -> Nullable<Text>,
        from_position_id -> Nullable<Text>,
        to_position_id -> Nullable<Text>,
        to_organisation_id -> Nullable<Text>,
        decision_number -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        starts_on -> Date,
        planned_ends_on -> Nullable<Date>,
        ended_on -> Nullable<Date>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    training_classes (id) {
        id -> Text,
        code -> Text,
        title -> Text,
        search_name -> Text,
        kind -> Text,
        organiser_organisation_id -> Text,
        provider -> Nullable<Text>,
        venue -> Nullable<Text>,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        capacity -> Nullable<Integer>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    enrolments (id) {
        id -> Text,
        class_id -> Text,
        person_id -> Text,
        status -> Text,
        completed_on -> Nullable<Date>,
        certificate_number -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        subject_type -> Text,
        subject_id -> Text,
        organisation_id -> Text,
        year -> Integer,
        rating -> Text,
        points -> Nullable<Integer>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    awards (id) {
        id -> Text,
        recipient_type -> Text,
        recipient_id -> Text,
        organisation_id -> Text,
        year -> Integer,
        form -> Text,
        issuer -> Nullable<Text>,
        decision_number -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    study_campaigns (id) {
        id -> Text,
        title -> Text,
        search_name -> Text,
        year -> Integer,
        documents -> Text,
        organisation_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    participations (id) {
        id -> Text,
        campaign_id -> Text,
        organisation_id -> Text,
        held -> Bool,
        members_attended -> Integer,
        masses_invited -> Integer,
        masses_attended -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    village_charges (id) {
        id -> Text,
        member_id -> Text,
        locality_id -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(cadres -> people (person_id));
diesel::joinable!(appointments -> cadres (cadre_id));
diesel::joinable!(appointments -> positions (position_id));
diesel::joinable!(enrolments -> training_classes (class_id));
diesel::joinable!(enrolments -> people (person_id));
diesel::joinable!(participations -> study_campaigns (campaign_id));
diesel::joinable!(village_charges -> members (member_id));

diesel::allow_tables_to_appear_in_same_query!(
    localities,
    organisations,
    organisation_moves,
    users,
    api_clients,
    audit_events,
    changes,
    people,
    members,
    member_events,
    candidates,
    admission_quotas,
    cadres,
    cadre_oversights,
    positions,
    appointments,
    rotations,
    training_classes,
    enrolments,
    assessments,
    awards,
    study_campaigns,
    participations,
    village_charges,
);
