//! `unused-ignore`: an ignore (policy entry or inline comment) that matched nothing, names an
//! unknown id, or gives no reason. The logic lives in `crate::ignore`; this file declares it.

crate::declare_check!(
    META,
    "unused-ignore",
    Meta,
    Low,
    false,
    "an ignore that matches no finding, or is not valid"
);
