"""Reports: the run report and the pages every report is rendered with."""
