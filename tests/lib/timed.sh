#!/bin/sh
# timed.sh FILE - run one test file under a time limit (prove --exec).
# A hung file must not eat the CI budget: TEST_TIMEOUT seconds each, except
# the VM tests, which boot two kernels under TCG and bound each boot
# themselves (vm.sh), so they get VM_TEST_TIMEOUT, and slurm.t, whose first
# run builds the MPI images with apt-get (cached afterwards, a few minutes
# once), which gets SLURM_TEST_TIMEOUT.
case $1 in
*/vm/*.t) limit=${VM_TEST_TIMEOUT:-2000} ;;
*/slurm.t) limit=${SLURM_TEST_TIMEOUT:-1200} ;;
*) limit=${TEST_TIMEOUT:-300} ;;
esac
exec timeout "$limit" "$@"
