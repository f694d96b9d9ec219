package kernel

// SetTestHookExitGap sets testHookExitGap for the duration of a test.
func SetTestHookExitGap(f func(p *Process)) (restore func()) {
	old := testHookExitGap
	testHookExitGap = f
	return func() { testHookExitGap = old }
}
