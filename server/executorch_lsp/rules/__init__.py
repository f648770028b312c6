"""The rule registry: every rule module, looked up by code, name or language."""

from __future__ import annotations

import re
from functools import cache

from ..engine.languages import LanguageId
from ..engine.workspace import Workspace
from .base import Rule
from .buck import et301_duplicate_generated_lib, et302_generated_lib_misconfigured
from .cmake import (
    et201_build_type_not_release,
    et202_backend_not_whole_archived,
    et203_duplicate_operator_library,
    et204_no_operator_library,
    et205_renamed_helper,
    et206_whole_archive_and_plain,
    et207_static_and_shared_runtime,
    et208_selective_build_options,
    et209_libtorch_with_xnnpack,
)
from .cpp import (
    et101_threadpool_reset_after_load,
    et102_threadpool_oversubscribed,
    et103_unchecked_error,
    et104_unchecked_result_access,
    et105_error_code_printed_as_number,
    et106_log_hook_signature,
    et107_deprecated_api,
    et108_mlock_load_mode,
    et109_et_unwrap_not_portable,
)
from .meta import et900_unused_suppression
from .python import (
    et401_lowering_without_partitioner,
    et402_legacy_to_backend_flow,
    et403_export_in_training_mode,
    et404_custom_op_without_out_variant,
    et405_vulkan_without_cpu_fallback,
    et406_dynamic_quantization_not_per_channel,
    et407_torch_ao_quantization_flow,
)

RULES: tuple[Rule, ...] = (
    et101_threadpool_reset_after_load.RULE,
    et102_threadpool_oversubscribed.RULE,
    et103_unchecked_error.RULE,
    et104_unchecked_result_access.RULE,
    et105_error_code_printed_as_number.RULE,
    et106_log_hook_signature.RULE,
    et107_deprecated_api.RULE,
    et108_mlock_load_mode.RULE,
    et109_et_unwrap_not_portable.RULE,
    et201_build_type_not_release.RULE,
    et202_backend_not_whole_archived.RULE,
    et203_duplicate_operator_library.RULE,
    et204_no_operator_library.RULE,
    et205_renamed_helper.RULE,
    et206_whole_archive_and_plain.RULE,
    et207_static_and_shared_runtime.RULE,
    et208_selective_build_options.RULE,
    et209_libtorch_with_xnnpack.RULE,
    et301_duplicate_generated_lib.RULE,
    et302_generated_lib_misconfigured.RULE,
    et401_lowering_without_partitioner.RULE,
    et402_legacy_to_backend_flow.RULE,
    et403_export_in_training_mode.RULE,
    et404_custom_op_without_out_variant.RULE,
    et405_vulkan_without_cpu_fallback.RULE,
    et406_dynamic_quantization_not_per_channel.RULE,
    et407_torch_ao_quantization_flow.RULE,
    et900_unused_suppression.RULE,
)

# Every code that is assigned, implemented or not. Codes are never reused; a
# configuration or suppression naming one of these is valid even before the
# rule ships.
ASSIGNED_CODES: dict[str, str] = {
    "ET101": "threadpool-reset-after-load",
    "ET102": "threadpool-oversubscribed",
    "ET103": "unchecked-error",
    "ET104": "unchecked-result-access",
    "ET105": "error-code-printed-as-number",
    "ET106": "log-hook-signature",
    "ET107": "deprecated-api",
    "ET108": "mlock-load-mode",
    "ET109": "et-unwrap-not-portable",
    "ET201": "build-type-not-release",
    "ET202": "backend-not-whole-archived",
    "ET203": "duplicate-operator-library",
    "ET204": "no-operator-library",
    "ET205": "renamed-cmake-helper",
    "ET206": "whole-archive-and-plain-link",
    "ET207": "static-and-shared-runtime",
    "ET208": "selective-build-options",
    "ET209": "libtorch-with-xnnpack",
    "ET301": "duplicate-generated-lib",
    "ET302": "generated-lib-misconfigured",
    "ET401": "lowering-without-partitioner",
    "ET402": "legacy-to-backend-flow",
    "ET403": "export-in-training-mode",
    "ET404": "custom-op-without-out-variant",
    "ET405": "vulkan-without-cpu-fallback",
    "ET406": "dynamic-quantization-not-per-channel",
    "ET407": "torch-ao-quantization-flow",
    "ET900": "unused-suppression",
}

CODE_PATTERN = re.compile(r"ET\d{3}")

_BY_CODE = {rule.code: rule for rule in RULES}


def rule_by_code(code: str) -> Rule | None:
    return _BY_CODE.get(code.upper())


def rule_by_name(name: str) -> Rule | None:
    return next((rule for rule in RULES if rule.name == name), None)


def workspace_fingerprint(workspace: Workspace, path: str) -> tuple:
    """What other files' findings may depend on in ``path`` (compared before and after a
    save: when it differs, analyses of other files are stale)."""
    return tuple(
        rule.workspace_fingerprint(workspace, path)
        for rule in RULES
        if rule.workspace_fingerprint is not None
    )


def languages_affected(before: tuple, after: tuple) -> set[LanguageId]:
    """The languages whose findings may change when a file's ``workspace_fingerprint``
    goes from ``before`` to ``after``."""
    fingerprinted = [rule for rule in RULES if rule.workspace_fingerprint is not None]
    if len(before) != len(after):
        return {language for rule in fingerprinted for language in rule.languages}
    return {
        language
        for rule, old, new in zip(fingerprinted, before, after, strict=True)
        if old != new
        for language in rule.languages
    }


@cache
def rules_for(language: LanguageId) -> tuple[Rule, ...]:
    return tuple(rule for rule in RULES if language in rule.languages)
