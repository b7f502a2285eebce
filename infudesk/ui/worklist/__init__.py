"""The Worklist: the visits of the coming days with what still blocks them, and the tasks."""
