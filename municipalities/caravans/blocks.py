"""Blocks of the caravans for chapters. Imported by MunicipalitiesConfig.ready() into shaho.core.blocks."""
