"""The CRM training simulator (ANFA call for tender, seed 002).

School databases (template workspaces) generated with realistic, coherent data and deliberate
anomalies; classes whose learners each get a sandbox cloned from a template, reset in one
click; Excel snapshots that carry a sandbox from one workstation to the next; exercises graded
against the learner's sandbox; SCORM packaging for learning-management systems.
"""
