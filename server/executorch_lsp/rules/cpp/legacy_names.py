"""ExecuTorch's deprecated namespace aliases and what each one stands for.

ExecuTorch moved from ``torch::executor`` to ``executorch::``; the old names survive
as ``using`` aliases marked "deprecated ... remove once all users have moved"
(TODO T197294990), but without ``[[deprecated]]``, so no compiler ever warns. The
targets differ per name (runtime, extension, aten, llm, etdump, std), so a
replacement is looked up here, never guessed from the prefix. The threadpool and
cpuinfo aliases live in ``torch::executorch`` (not ``torch::executor``).
Names under ``torch::executor`` that are not aliases (the kernels' ``native``
namespace, ``internal`` helpers) are absent on purpose: they are not deprecated.
"""

from __future__ import annotations


def _under(namespace: str, names: str) -> dict[str, str]:
    return {name: f"{namespace}::{name}" for name in names.split()}


_RUNTIME = _under(
    "executorch::runtime",
    """
    AllocatorID ArrayRef Backend BackendExecutionContext BackendInitContext
    BackendOptionContext BoxedEvalueList ChainID CompileSpec CppTypeToScalarType DataLoader
    DebugHandle DelegateDebugIdType DelegateDebugIntId DelegateHandle DeviceAllocator
    DeviceAllocatorRegistry EValue Error EventTracer EventTracerDebugLogLevel EventTracerEntry
    ExecutorchProfiler ExecutorchProfilerInstructionScope FreeableBuffer HierarchicalAllocator
    IntArrayRef Kernel KernelKey KernelRuntimeContext LogLevel LoggedEValueType
    MemoryAllocator MemoryManager Method MethodMeta OpFunction Program Result
    ScalarTypeToCppType SizedBuffer Span Tag TensorInfo TensorMeta TensorShapeDynamism
    begin_profiling calculate_linear_index canCast can_cast convert coordinateToIndex
    dim_is_valid dim_order_to_stride dim_order_to_stride_nocheck dump_profile_stats
    elementSize end_profiling error_code_t event_tracer_end_profiling_delegate
    event_tracer_log_output_delegate event_tracer_log_profiling_delegate
    event_tracer_start_profiling_delegate extract_scalar_tensor getLeadingDims
    getTrailingDims get_backend_class get_device_allocator get_dim_order
    get_profile_tls_state indexToCoordinate isBitsType isComplexType isFloatingType
    isIntegralType isQIntType isRealHBType isRealHType isRealType isValid
    is_barebones_unsigned_type is_bits_type is_channels_last_dim_order is_complex_type
    is_contiguous_dim_order is_float8_type is_floating_point is_integral_type is_qint_type
    is_reduced_floating_point kTensorDimensionLimit kUnsetBundledInputIndex kUnsetChainId
    kUnsetDebugHandle kUnsetDelegateDebugIntId makeArrayRef mem_prof_event_t nonempty_size
    nonzero_dim prof_allocator_t prof_buf_size prof_event_t prof_events_offset
    prof_header_offset prof_header_t prof_mem_alloc_events_offset prof_mem_alloc_info_offset
    prof_result_t prof_state_t profiler_init profiling_create_block promoteTypes
    promote_types register_backend register_device_allocator reset_profile_stats resize
    resize_tensor runtime_abort runtime_init set_profile_tls_state stride_to_dim_order
    tensor_can_cast_to tensor_dim_has_index tensor_has_dim tensor_has_expected_size
    tensor_has_non_empty_dim tensor_has_rank_greater_or_equal_to
    tensor_has_rank_smaller_or_equal_to tensor_has_valid_dim_order tensor_is_bits_type
    tensor_is_bool_type tensor_is_complex_type tensor_is_contiguous
    tensor_is_default_dim_order tensor_is_default_or_channels_last_dim_order
    tensor_is_floating_type tensor_is_integral_type tensor_is_rank tensor_is_real_type
    tensor_is_realh_type tensor_is_realhb_type tensor_is_scalar tensors_have_same_dim_order
    tensors_have_same_dtype tensors_have_same_rank tensors_have_same_shape
    tensors_have_same_shape_and_dtype tensors_have_same_size_at_dims
    tensors_have_same_strides ticks_to_ns toString track_allocation track_allocator
    """,
)
# Portable tensor types: executorch::aten:: names the same types in portable builds
# (the only builds where these torch::executor aliases exist).
_ATEN = _under(
    "executorch::aten",
    """
    BFloat16 Device DeviceType Half Layout MemoryFormat Scalar ScalarType Tensor TensorImpl
    TensorList complex compute_numel safe_numel qint8 qint32 quint8 quint2x4 quint4x2
    """,
)
_BITS = _under("executorch::runtime::etensor", "bits1x8 bits2x4 bits4x2 bits8 bits16")
_EXTENSION = _under(
    "executorch::extension",
    "Module WrapUnboxedIntoFunctor get_thread_num make_boxed_kernel parallel_for set_thread_num",
)
_LLM = _under(
    "executorch::extension::llm",
    "Audio Image ImagePrefiller ProbIndex Sampler TextDecoderRunner TextPrefiller "
    "TextTokenGenerator",
)
_RENAMED = {
    "ETDumpGen": "executorch::etdump::ETDumpGen",
    "etdump_result": "executorch::etdump::ETDumpResult",
    "RuntimeContext": "executorch::runtime::KernelRuntimeContext",
    "PyTorchBackendInterface": "executorch::runtime::BackendInterface",
    "optional": "std::optional",
    "nullopt_t": "std::nullopt_t",
    "nullopt": "std::nullopt",
    "string_view": "std::string_view",
}
_UTIL = {
    **_under(
        "executorch::extension",
        """
        BufferCleanup BufferDataLoader FileDataLoader FileDescriptorDataLoader
        MallocMemoryAllocator MmapDataLoader SharedPtrDataLoader alias_attensor_to_etensor
        alias_etensor_to_attensor evalue_edge_items flatten is_same prepare_input_tensors
        unflatten
        """,
    ),
    "torchToExecuTorchScalarType": "executorch::extension::torch_to_executorch_scalar_type",
    "execuTorchtoTorchScalarType": "executorch::extension::executorch_to_torch_scalar_type",
    **_under("executorch::extension::llm", "get_rss_bytes safe_printf time_in_ms"),
}
_BUNDLED = "executorch::bundled_program"

# Legacy namespace -> {name -> replacement}; a replacement of None has no mechanical
# rewrite (the new API takes different arguments).
LEGACY_ALIASES: dict[str, dict[str, str | None]] = {
    "torch::executor": {**_RUNTIME, **_ATEN, **_BITS, **_EXTENSION, **_LLM, **_RENAMED},
    "torch::executor::util": dict(_UTIL),
    "torch::executor::testing": _under(
        "executorch::runtime::testing",
        """
        IsCloseTo IsCloseToWithTol IsDataCloseTo IsDataCloseToWithTol IsDataEqualTo IsEqualTo
        IsListCloseTo IsListEqualTo ManagedMemoryManager TensorFactory TensorListFactory
        tensor_data_is_close tensor_lists_are_close tensors_are_close
        """,
    ),
    "torch::executor::pytree": _under(
        "executorch::extension::pytree", "Empty FunctionRef TreeSpec from_str"
    ),
    "torch::executor::bundled_program": {
        "LoadBundledInput": f"{_BUNDLED}::load_bundled_input",
        "VerifyResultWithBundledExpectedOutput": f"{_BUNDLED}::verify_method_outputs",
        "GetProgramData": f"{_BUNDLED}::get_program_data",
        "serialized_bundled_program": f"{_BUNDLED}::SerializedBundledProgram",
        "IsBundledProgram": None,
    },
    "torch::executorch::threadpool": _under(
        "executorch::extension::threadpool",
        "NoThreadPoolGuard ThreadPool get_pthreadpool get_threadpool",
    ),
    "torch::executorch::cpuinfo": _under(
        "executorch::extension::cpuinfo", "get_num_performant_cores"
    ),
}
# ``exec_aten::`` is a namespace alias of ``executorch::aten::``: every name moves as is.
EXEC_ATEN = "exec_aten"
# Namespaces that hold nothing but deprecated aliases -> what to use instead. Not
# ``torch::executor`` itself, nor its ``testing`` namespace: they also hold current code
# (the kernels' ``native`` namespace, kernel test fixtures), so using them is not
# deprecated in itself; only the alias names used through them are.
ALIAS_NAMESPACES: dict[str, str] = {
    "torch::executor::util": "executorch::extension",
    "torch::executor::pytree": "executorch::extension::pytree",
    "torch::executorch::threadpool": "executorch::extension::threadpool",
    "torch::executorch::cpuinfo": "executorch::extension::cpuinfo",
    EXEC_ATEN: "executorch::aten",
}


def replacement(namespace: str, name: str) -> tuple[bool, str | None]:
    """(is a deprecated alias, its replacement) for ``namespace::name``."""
    if namespace == EXEC_ATEN:
        return True, f"executorch::aten::{name}"
    names = LEGACY_ALIASES.get(namespace, {})
    if name not in names:
        return False, None
    return True, names[name]
