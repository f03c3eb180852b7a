"""From a raw article to a draft bundle (issue 19): quotations first."""
