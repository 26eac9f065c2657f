#!/bin/sh
# timed.sh FILE - run one test file under a time limit (prove --exec).
# A hung file must not eat the CI budget: TEST_TIMEOUT seconds each, except
# the VM tests, which boot two kernels under TCG and bound each boot
# themselves (vm.sh), so they get VM_TEST_TIMEOUT.
case $1 in
*/vm/*.t) limit=${VM_TEST_TIMEOUT:-2000} ;;
*) limit=${TEST_TIMEOUT:-300} ;;
esac
exec timeout "$limit" "$@"
