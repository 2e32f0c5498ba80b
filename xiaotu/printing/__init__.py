"""Printing: PDF spine labels (书标) and barcode labels, their sheet layouts, and the Chinese font they embed."""
