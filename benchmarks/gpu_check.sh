#!/usr/bin/env bash
# The GPU checks of the learned samplers, on a machine with CUDA torch and the
# package's dependencies importable (run from the repository root):
#
#   bash benchmarks/gpu_check.sh correctness SAVED RESULTS [SECONDS] # tests on CUDA, files
#   bash benchmarks/gpu_check.sh targets RESULTS SECONDS [NAMES] # speed_targets --device cuda
#   bash benchmarks/gpu_check.sh speed RESULTS SECONDS [SIZES] [METHODS] # speed suite
#
# SAVED is a folder written on a CPU machine by `python -m benchmarks.device_round_trip
# save SAVED`; the GPU-saved files go to RESULTS/gpu_saved, to be checked on a CPU machine
# with `python -m benchmarks.device_round_trip check RESULTS/gpu_saved REPORT.md`.
# Each step has its own time limit, so that one slow step leaves the others their time.
set -u
export PYTHONUNBUFFERED=1
part=$1
case $part in
correctness)
    saved=$2 results=$3 budget=${4:-150}
    mkdir -p "$results"
    nvidia-smi > "$results/nvidia-smi.txt" 2>&1
    # the test suite with device="auto", which is CUDA here (the benchmark harness's
    # tests need data packages a GPU image may lack); -v writes each test's outcome as it
    # ends and SIGINT makes pytest print its summary, so a run stopped by the time limit
    # still names its failures (a -q run stopped by SIGTERM named none)
    timeout -s INT -k 20 "$budget" python3 -m pytest -v -n 12 -p no:cacheprovider \
        --ignore=tests/benchmarks --ignore=tests/datasets -rfE tests \
        > "$results/pytest_cuda.log" 2>&1 &
    {
        timeout 75 python3 -m benchmarks.device_round_trip check "$saved" \
            "$results/cpu_to_gpu.md"
        timeout 75 python3 -m benchmarks.device_round_trip save "$results/gpu_saved"
    } > "$results/round_trip.log" 2>&1
    wait
    ;;
targets)
    results=$2 budget=$3
    names=${4:-latent_fit_tabular,latent_fit_sequences,latent_generation,latent_memory,flow_fit,flow_round_trip,contrastive_fit,worst_case_fit,grid_search_parallel}
    mkdir -p "$results"
    for name in ${names//,/ }; do
        left=$((budget - SECONDS))
        if [ $left -lt 20 ]; then
            echo "$name: not run (the part's $budget s were spent)" >> "$results/speed_targets.log"
            continue
        fi
        timeout $((left < 150 ? left : 150)) python3 -m benchmarks.speed_targets --device cuda --only "$name" \
            --out "$results" >> "$results/speed_targets.log" 2>&1 \
            || echo "$name: failed or timed out (exit $?)" >> "$results/speed_targets.log"
    done
    ;;
speed)
    results=$2 budget=$3
    sizes=${4:-100000,1000000} methods=${5:-SMOTE,LatentAdversarial,FlowLatent,StructuredAdversarial,WorstCaseGenerator,LearnedViews}
    timeout "$budget" python3 -m benchmarks run --suite speed --device cuda --sizes "$sizes" \
        --methods "$methods" --features none --time-limit 90 --out "$results/speed_gpu" \
        > "$results/speed.log" 2>&1
    ;;
*)
    echo "unknown part $part" >&2
    exit 2
    ;;
esac
