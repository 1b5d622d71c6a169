"""What the hospitals wrote: letters, test results, visits."""
